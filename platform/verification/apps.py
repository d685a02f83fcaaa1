from django.apps import AppConfig


class VerificationConfig(AppConfig):
    """Photo verification: is the photo fresh, taken where the report says, inside the
    city and not reused? The library itself is pure (no models) so intake, workers and
    benchmarks can call it without a database."""

    name = "verification"
    verbose_name = "Verifikasi"
