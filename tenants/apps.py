from django.apps import AppConfig


class TenantsConfig(AppConfig):
    """Cities (tenants) and their host names, kept in the public schema."""

    name = "tenants"
    verbose_name = "Kota & Domain"
