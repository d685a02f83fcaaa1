from django.contrib.admin.apps import AdminConfig


class KanalAdminConfig(AdminConfig):
    """django.contrib.admin with Kanal's 2FA-capable site as ``admin.site``."""

    default_site = "kanal.admin_site.KanalAdminSite"
