from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The transactional outbox of messages to citizens and staff."""

    name = "notifications"
    verbose_name = "Notifikasi"
