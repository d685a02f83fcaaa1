"""Inviting a new city's first Diskominfo admin by e-mail (vendor console).

The account is made in the city's schema with the console role, with an
unusable password: nobody, the vendor included, ever sees a password. The
e-mail carries a one-time link on the city's own host (``/undangan/…``) where
the admin sets one; Django's ``default_token_generator`` signs it over the
password hash, so the link dies once used (and after PASSWORD_RESET_TIMEOUT).
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from kanal.errors import InvalidInput, Unavailable
from onboarding.services import platform_domain
from people.models import Role
from people.staff import RoleGrant, invite_staff
from tenants.models import City, CityStatus

logger = logging.getLogger(__name__)


def city_base_url(city: City, *, scheme: str = "https", port: str | int | None = None) -> str:
    """``<scheme>://<slug>.<base>[:port]`` — the port only when it is not the
    scheme's default (the vendor on localhost:8000 gets links on :8000)."""
    port = str(port or "")
    default = {"http": "80", "https": "443"}.get(scheme)
    suffix = f":{port}" if port and port != default else ""
    return f"{scheme}://{platform_domain(city.slug)}{suffix}"


def invite_link(city: City, user, *, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{base_url}/undangan/{uid}/{token}/"


def invite_first_admin(city: City, *, name: str, email: str, phone: str = "", base_url: str) -> str:
    """Create a Diskominfo admin of ``city`` and e-mail them a link to set a
    password. Returns the username.

    Raises InvalidInput (field ``email`` when missing or bad; the other fields
    as ``people.staff.invite_staff`` raises them; ``city`` when archived) and
    Unavailable (EMAIL_FAILED) when the mail server refuses: the account is
    then not kept, so the vendor can simply try again.
    """
    if city.is_public or city.status == CityStatus.ARCHIVED:
        raise InvalidInput(
            field="city",
            message=_("%(city)s tidak dapat menerima admin baru."),
            params={"city": city},
        )
    if not (email or "").strip():
        raise InvalidInput(
            field="email", message=_("Isi alamat e-mail admin: undangan dikirim ke sana.")
        )
    with schema_context(city.schema_name), transaction.atomic():
        invited = invite_staff(
            name=name, email=email, phone=phone, roles=[RoleGrant(Role.DISKOMINFO_ADMIN)]
        )
        user = invited.user
        user.set_unusable_password()  # the temporary password is never shown or sent
        user.save(update_fields=["password"])
        link = invite_link(city, user, base_url=base_url)
        context = {
            "name": user.first_name or user.username,
            "username": user.username,
            "city": city.name,
            "link": link,
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        body = render_to_string("onboarding/vendor/invite_email.txt", context)
        subject = f"Undangan admin Kanal {city.name} / Kanal admin invitation"
        try:
            send_mail(subject, body, None, [user.email], fail_silently=False)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("invitation to %s for %s not sent: %s", user.email, city.slug, exc)
            raise Unavailable(
                field="email",
                code="EMAIL_FAILED",
                message=_(
                    "E-mail undangan tidak terkirim (%(reason)s). Akun tidak dibuat; coba lagi."
                ),
                params={"reason": str(exc)[:200]},
            ) from exc
    logger.info("city %s: Diskominfo admin %s invited", city.slug, user.username)
    return user.username


class InviteSetPasswordView(PasswordResetConfirmView):
    """The invitation link on the city's host: set a password, then sign in."""

    template_name = "onboarding/vendor/invite_set_password.html"
    success_url = "/admin/login/"

    def dispatch(self, request, *args, **kwargs):
        # The console's rule (kanal.middleware.ConsoleLanguageMiddleware): Indonesian
        # unless the person chose English with the switch, whatever the browser says.
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        codes = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in codes else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Kata sandi tersimpan. Silakan masuk ke konsol."))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Atur kata sandi Anda")
        context["site_header"] = "Kanal"
        return context
