from django.apps import AppConfig


class WebshellConfig(AppConfig):
    """The reference white-label web app's HTML shell, manifest and service worker."""

    name = "webshell"
    verbose_name = "Web app shell"
