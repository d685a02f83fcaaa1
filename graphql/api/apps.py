from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The GraphQL API (strawberry) every white-label app uses, served per city."""

    name = "api"
    verbose_name = "GraphQL API"

    def ready(self) -> None:
        from cityconfig.signals import public_data_changed

        public_data_changed.connect(_bump, dispatch_uid="api.public_cache")


def _bump(sender, schema: str, **kwargs) -> None:
    from api.public_cache import bump_public_version

    bump_public_version(schema)
