"""The admin site for vendor staff (public schema) and each city's Diskominfo.

With ``KANAL_ADMIN_2FA`` (on in production) staff must also enter a one-time
code from an authenticator app (django-otp TOTP devices); failed logins are
throttled by django-axes in every schema.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class KanalAdminSite(OTPAdminSite):
    site_header = "Kanal"
    site_title = "Kanal"
    index_title = "Administrasi"

    @property
    def login_form(self):  # type: ignore[override]
        return OTPAdminAuthenticationForm if settings.KANAL_ADMIN_2FA else AdminAuthenticationForm

    @property
    def login_template(self):  # type: ignore[override]
        return OTPAdminSite.login_template if settings.KANAL_ADMIN_2FA else None

    def has_permission(self, request) -> bool:
        if settings.KANAL_ADMIN_2FA:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
