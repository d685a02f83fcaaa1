from django.apps import AppConfig


class RoutingConfig(AppConfig):
    """Choosing the responsible OPD from the city's rules (rules live in cityconfig)."""

    name = "routing"
    verbose_name = "Disposisi"
