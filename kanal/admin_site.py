"""The admin site for vendor staff (public schema) and each city's Diskominfo.

With ``KANAL_ADMIN_2FA`` (on in production) staff must also enter a one-time
code from an authenticator app (django-otp TOTP devices); failed logins are
throttled by django-axes in every schema.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db import connection
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


@cache
def _app_names(entries: tuple[str, ...]) -> frozenset[str]:
    """App names behind INSTALLED_APPS-style entries (names or AppConfig paths)."""
    names = set()
    for config in apps.get_app_configs():
        path = f"{type(config).__module__}.{type(config).__name__}"
        if config.name in entries or path in entries:
            names.add(config.name)
    return frozenset(names)


def model_lives_here(model) -> bool:
    """Is this model's table in the active schema? Vendor screens only on the public
    site, a city's screens only on its own host (the public schema is also on a
    city's search path, so without this a city admin could read vendor tables)."""
    public = connection.schema_name == "public"
    entries = settings.SHARED_APPS if public else settings.TENANT_APPS
    return model._meta.app_config.name in _app_names(tuple(entries))


def _gated(admin_class):
    """A subclass of ``admin_class`` whose permissions also require the model to
    live in the active schema."""

    def gate(name):
        original = getattr(admin_class, name)

        def method(self, request, *args, **kwargs):
            return model_lives_here(self.model) and original(self, request, *args, **kwargs)

        method.__name__ = name
        return method

    names = (
        "has_module_permission",
        "has_view_permission",
        "has_add_permission",
        "has_change_permission",
        "has_delete_permission",
    )
    return type(admin_class.__name__, (admin_class,), {n: gate(n) for n in names})


class KanalAdminSite(OTPAdminSite):
    site_header = "Kanal"
    site_title = "Kanal"
    index_title = "Administrasi"

    def register(self, model_or_iterable, admin_class=None, **options):
        from django.contrib.admin import ModelAdmin

        super().register(model_or_iterable, _gated(admin_class or ModelAdmin), **options)

    @property
    def login_form(self):  # type: ignore[override]
        return OTPAdminAuthenticationForm if settings.KANAL_ADMIN_2FA else AdminAuthenticationForm

    @property
    def login_template(self):  # type: ignore[override]
        return OTPAdminSite.login_template if settings.KANAL_ADMIN_2FA else None

    def each_context(self, request):
        from kanal.console import tools_for

        context = super().each_context(request)
        if connection.schema_name != "public" and request.user.is_authenticated:
            context["console_tools"] = tools_for(request)
        return context

    def has_permission(self, request) -> bool:
        if settings.KANAL_ADMIN_2FA:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
