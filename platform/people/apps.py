from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Citizens (identified by phone and one-time code) and staff roles, per city."""

    name = "people"
    verbose_name = "Warga & Petugas"
