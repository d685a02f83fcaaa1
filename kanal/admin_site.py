"""The admin site for vendor staff (public schema) and each city's Diskominfo.

With ``KANAL_ADMIN_2FA`` (on in production) staff must also enter a one-time
code from an authenticator app (django-otp TOTP devices); failed logins are
throttled by django-axes in every schema.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

APP_LABELS = {
    "/kerja/": _("Meja operator (/kerja/)"),
    "/respond/": _("Tanggapan OPD (/respond/)"),
    "/survei/": _("Survei lapangan (/survei/)"),
    "/command/": _("Command center (/command/)"),
}


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


# Security plumbing (login throttling, authenticator devices) and raw accounts:
# not the city console's business. Staff are managed on "Petugas"; 2FA devices
# are reset there. Only a superuser of the vendor site sees these screens.
PLUMBING_APPS = frozenset({"axes", "otp_totp", "otp_static", "otp_email", "otp_hotp", "auth"})


def shown_to(request, model) -> bool:
    """May this request's user see this model's screens here at all?"""
    if not model_lives_here(model):
        return False
    if model._meta.app_label in PLUMBING_APPS:
        return connection.schema_name == "public" and request.user.is_superuser
    return True


def _gated(admin_class):
    """A subclass of ``admin_class`` whose permissions also require the model to
    live in the active schema (and plumbing to be on the vendor site)."""

    def gate(name):
        original = getattr(admin_class, name)

        def method(self, request, *args, **kwargs):
            return shown_to(request, self.model) and original(self, request, *args, **kwargs)

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


class _ConsoleLoginMixin:
    """A right password of someone who may not use the console is not "wrong":
    the login view turns ``not_console`` into a page that says where they work."""

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)  # active?
        if connection.schema_name == "public":
            if not user.is_staff:
                raise ValidationError(
                    self.error_messages["invalid_login"],
                    code="invalid_login",
                    params={"username": self.username_field.verbose_name},
                )
            return
        from people.staff import can_use_console

        if not can_use_console(user):
            raise ValidationError(NOT_CONSOLE_MESSAGE, code="not_console")


NOT_CONSOLE_MESSAGE = _("Konsol ini hanya untuk admin Diskominfo kota.")


class ConsoleAuthenticationForm(_ConsoleLoginMixin, AdminAuthenticationForm):
    pass


class ConsoleOTPAuthenticationForm(_ConsoleLoginMixin, OTPAdminAuthenticationForm):
    pass


class KanalAdminSite(OTPAdminSite):
    site_header = "Kanal"
    site_title = "Kanal"
    index_title = "Administrasi"

    def register(self, model_or_iterable, admin_class=None, **options):
        from django.contrib.admin import ModelAdmin

        super().register(model_or_iterable, _gated(admin_class or ModelAdmin), **options)

    @property
    def login_form(self):  # type: ignore[override]
        return (
            ConsoleOTPAuthenticationForm if settings.KANAL_ADMIN_2FA else ConsoleAuthenticationForm
        )

    def login(self, request, extra_context=None):
        """Django's login, except for a person who may not use the console
        (an operator, a responder…): they get a page, in their language, that
        says the console is Diskominfo's and links to their own app."""
        if connection.schema_name != "public" and request.user.is_authenticated:
            from people.staff import can_use_console

            if not can_use_console(request.user):
                return self.not_console(request, request.user)
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if request.method == "POST" and form is not None and form.is_bound:
            refused = form.errors.as_data().get("__all__", [])
            if any(error.code == "not_console" for error in refused):
                return self.not_console(request, form.get_user())
        return response

    def not_console(self, request, user):
        from people.staff import apps_of

        context = {
            **self.each_context(request),
            "title": _("Konsol khusus admin Diskominfo"),
            "person": user,
            "apps": [{"path": path, "label": APP_LABELS.get(path, path)} for path in apps_of(user)],
            "signed_in": request.user.is_authenticated,
        }
        return TemplateResponse(request, "admin/not_console.html", context, status=403)

    def has_permission(self, request) -> bool:
        """The vendor site: active staff (as Django has it). A city's console:
        the Diskominfo role (``people.staff.can_use_console``), not a ticked box."""
        if settings.KANAL_ADMIN_2FA and not request.user.is_verified():
            return False
        if connection.schema_name == "public":
            return request.user.is_active and request.user.is_staff
        from people.staff import can_use_console

        return can_use_console(request.user)

    @property
    def login_template(self):  # type: ignore[override]
        return OTPAdminSite.login_template if settings.KANAL_ADMIN_2FA else None

    def each_context(self, request):
        from kanal.console import tools_for

        context = super().each_context(request)
        if connection.schema_name != "public" and request.user.is_authenticated:
            context["console_tools"] = tools_for(request)
        return context
