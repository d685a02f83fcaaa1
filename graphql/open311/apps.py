from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2, so existing Open311 apps work against any Kanal city."""

    name = "open311"
    verbose_name = "Open311"
    default_auto_field = "django.db.models.BigAutoField"
