"""Open311 API keys: issued by the city, stored as a SHA-256, valid on its host only.

Keys live in the city's schema, and each key names its city
(``o311_<slug>_…``), so a Mataram key shown to Pangkalpinang is refused with a
clear reason instead of an "unknown key".
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanal.errors import InvalidInput, PermissionDenied
from open311.models import Open311ApiKey

KEY_SCHEME = "o311"


class ApiKeyRefused(PermissionDenied):
    code = "API_KEY_INVALID"


@dataclass(frozen=True)
class IssuedKey:
    api_key: Open311ApiKey
    key: str  # shown once, never stored


def new_key_material(city_slug: str) -> tuple[str, str, str]:
    """(key, prefix, sha256) for a fresh key. The key names its city, so a key
    shown on another city's host is refused with a clear reason."""
    key = f"{KEY_SCHEME}_{city_slug}_{secrets.token_urlsafe(32)}"
    prefix = key[: len(KEY_SCHEME) + len(city_slug) + 2 + 6]
    return key, prefix, key_digest(key)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(name: str, *, created_by: str = "") -> IssuedKey:
    """Issue a key for the active city. Raises InvalidInput for an empty name."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(
            field="name",
            code="NAME_REQUIRED",
            message=_("Nama klien wajib diisi."),
        )
    if connection.schema_name in ("", "public"):
        raise RuntimeError("Open311 keys are issued inside a city's schema.")
    key, prefix, digest = new_key_material(_city_slug())
    api_key = Open311ApiKey.objects.create(
        name=name[:120], prefix=prefix, key_sha256=digest, created_by=created_by[:150]
    )
    return IssuedKey(api_key, key)


def revoke_key(api_key: Open311ApiKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])


def authenticate(raw_key: str | None) -> Open311ApiKey:
    """The active key for ``raw_key`` in this city. Raises ApiKeyRefused (→ 403)."""
    raw_key = (raw_key or "").strip()
    if not raw_key:
        raise ApiKeyRefused(
            field="api_key",
            message=_("api_key wajib diisi."),
        )
    parts = raw_key.split("_", 2)
    if len(parts) == 3 and parts[0] == KEY_SCHEME and parts[1] != _city_slug():
        raise ApiKeyRefused(
            field="api_key",
            message=_("api_key ini diterbitkan kota lain."),
        )
    digest = key_digest(raw_key)
    api_key = Open311ApiKey.objects.filter(key_sha256=digest).first()
    if api_key is None:
        raise ApiKeyRefused(
            field="api_key",
            message=_("api_key tidak valid."),
        )
    if api_key.revoked_at is not None:
        raise ApiKeyRefused(
            field="api_key",
            message=_("api_key sudah dicabut."),
        )
    now = timezone.now()
    Open311ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
    return api_key


def _city_slug() -> str:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "slug", "") or ""
