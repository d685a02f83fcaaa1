"""Issuing and checking the apps' bearer tokens.

Only a SHA-256 of a token is stored. A token carries its city's slug, checked
against the request's city before any lookup, so a token from another city is
refused with a clear answer instead of a confusing "unknown token".
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanal.errors import PermissionDenied, RateLimited, ServiceError
from people.actors import Actor
from people.models import AccessToken, Citizen
from people.staff import can_use_staff_apps

CITIZEN_TOKEN_TTL = timedelta(days=90)
STAFF_TOKEN_TTL = timedelta(hours=12)
USERNAME_MAX_LENGTH = 150  # django.contrib.auth's username column


class NotAuthenticated(ServiceError):
    code = "UNAUTHENTICATED"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: object


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(city_slug: str, *, citizen: Citizen | None = None, user=None) -> IssuedToken:
    token = f"knl_{city_slug}_{secrets.token_urlsafe(32)}"
    ttl = CITIZEN_TOKEN_TTL if citizen is not None else STAFF_TOKEN_TTL
    record = AccessToken.objects.create(
        key_hash=_hash(token),
        prefix=token[: len(city_slug) + 9],
        citizen=citizen,
        user=user,
        expires_at=timezone.now() + ttl,
    )
    return IssuedToken(token, record.expires_at)


def actor_for_token(city_slug: str, token: str) -> Actor:
    """The actor behind a bearer token presented on ``city_slug``'s host."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "knl":
        raise NotAuthenticated(
            message=_("Token tidak dikenali."),
        )
    if parts[1] != city_slug:
        raise NotAuthenticated(
            code="TOKEN_OTHER_CITY",
            message=_("Token ini diterbitkan oleh kota lain dan tidak berlaku di sini."),
        )
    record = (
        AccessToken.objects.select_related("citizen", "user").filter(key_hash=_hash(token)).first()
    )
    now = timezone.now()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        raise NotAuthenticated(
            code="TOKEN_EXPIRED",
            message=_("Sesi berakhir; silakan masuk lagi."),
        )
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        AccessToken.objects.filter(pk=record.pk).update(last_used_at=now)
    if record.citizen is not None:
        return Actor.for_citizen(record.citizen)
    if not record.user.is_active:  # deactivated: its tokens stop at once
        raise NotAuthenticated(
            message=_("Akun tidak aktif."),
        )
    return Actor.for_staff(record.user)


def staff_login(
    city_slug: str, username: str, password: str, request=None, otp_code: str = ""
) -> IssuedToken:
    """Password (throttled by django-axes), a staff role (``can_use_staff_apps``:
    no "Status staf" tick needed) and, with KANAL_ADMIN_2FA, a TOTP code."""
    from django.conf import settings
    from django_otp import match_token, user_has_device

    if len(username) > USERNAME_MAX_LENGTH or "\x00" in username + password:
        user = None  # no such account; never sent to the database (or to axes' log)
    else:
        user = authenticate(request, username=username, password=password)
    if user is None and getattr(request, "axes_locked_out", False):
        from kanal.net import lockout_minutes

        minutes = lockout_minutes()
        raise RateLimited(
            code="ACCOUNT_LOCKED",
            retry_after=minutes * 60,
            message=_(
                "Akun dikunci sementara setelah terlalu banyak percobaan. "
                "Coba lagi dalam %(minutes)s menit."
            ),
            params={"minutes": minutes},
        )
    if user is None or not user.is_active:
        raise PermissionDenied(
            code="INVALID_CREDENTIALS",
            message=_(
                "Nama pengguna atau kata sandi salah (akun dikunci sementara setelah 5 kali)."
            ),
        )
    if not can_use_staff_apps(user):  # the password was right: say what is really missing
        raise PermissionDenied(
            code="NO_STAFF_ROLE",
            message=_("Akun ini belum diberi peran petugas. Hubungi admin Diskominfo kota."),
        )
    if settings.KANAL_ADMIN_2FA:
        if not user_has_device(user):
            raise PermissionDenied(
                code="TWO_FACTOR_NOT_SET_UP",
                message=_("Aktifkan autentikasi dua langkah di admin sebelum masuk aplikasi."),
            )
        if match_token(user, (otp_code or "").strip()) is None:
            raise PermissionDenied(
                code="TWO_FACTOR_REQUIRED",
                field="otpCode",
                message=_("Kode autentikator salah atau belum diisi."),
            )
    return issue_token(city_slug, user=user)


def revoke(token: str) -> None:
    AccessToken.objects.filter(key_hash=_hash(token)).update(revoked_at=timezone.now())
