from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The GraphQL API (strawberry) every white-label app uses, served per city."""

    name = "api"
    verbose_name = "GraphQL API"
