from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Validating city configs and applying them: the vendor's onboarding tool."""

    name = "onboarding"
    verbose_name = "Onboarding"
