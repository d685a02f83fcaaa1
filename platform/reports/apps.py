from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Citizens' reports, their photos, their lifecycle and its timeline."""

    name = "reports"
    verbose_name = "Laporan"
