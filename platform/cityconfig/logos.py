"""A logo uploaded in the console: checked, re-encoded, stored with the city.

``branding.logo`` names either a reviewed file of the YAML
(``assets/<slug>/logo.svg``) or, after an upload, ``upload:branding/logo-<hash>.png``
in the city's own media folder (``<MEDIA_ROOT>/<schema>/``), which only the
city's own host serves (``kanal.views.city_logo``). SVG is refused: it can
carry scripts. Every accepted image is decoded by Pillow and written again as
PNG, so what is served is pixels only (no metadata, no polyglot payload).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings

from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_tenants.files.storage import TenantFileSystemStorage
from PIL import Image, UnidentifiedImageError

from kanal.errors import InvalidInput

MAX_LOGO_BYTES = 1024 * 1024
MIN_SIDE, MAX_SIDE = 32, 2048
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}
UPLOAD_PREFIX = "upload:"
_STORED_NAME = re.compile(r"^branding/logo-[0-9a-f]{16}\.png$")


_REFUSED_TYPE = _("Logo harus berupa gambar PNG, JPEG atau WebP (SVG tidak diterima).")


class LogoRefused(InvalidInput):
    """An upload that is not a logo the city may show; the message says why."""


class CityBrandingStorage(TenantFileSystemStorage):
    """The active city's media folder; nothing is written outside a city."""

    def _save(self, name, content):
        if connection.schema_name in ("", "public"):
            raise SuspiciousOperation("A logo can only be stored while a city is active.")
        return super()._save(name, content)


def storage() -> CityBrandingStorage:
    return CityBrandingStorage()


def stored_logo_name(logo: str) -> str | None:
    """The storage name of an uploaded logo, or None when ``logo`` is not one."""
    if not logo.startswith(UPLOAD_PREFIX):
        return None
    name = logo.removeprefix(UPLOAD_PREFIX)
    return name if _STORED_NAME.match(name) else None


def checked_logo_png(data: bytes) -> bytes:
    """The upload as a clean PNG; raises :class:`LogoRefused` with the reason
    (too big, not PNG/JPEG/WebP, not a readable image, too small or too large)."""
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefused(
            message=_("Berkas logo %(size)s KB; batasnya %(limit)s KB."),
            params={"size": len(data) // 1024, "limit": MAX_LOGO_BYTES // 1024},
        )
    if not data:
        raise LogoRefused(message=_("Berkas logo kosong."))
    if b"<svg" in data[:2048].lower():
        raise LogoRefused(message=_REFUSED_TYPE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format in ACCEPTED_FORMATS:
                    probe.verify()
            if image_format not in ACCEPTED_FORMATS:
                raise LogoRefused(message=_REFUSED_TYPE)
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise LogoRefused(
                    message=_(
                        "Logo berukuran %(width)s×%(height)s piksel; setiap sisi harus "
                        "%(min)s–%(max)s piksel."
                    ),
                    params={"width": width, "height": height, "min": MIN_SIDE, "max": MAX_SIDE},
                )
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                clean = image.convert("RGBA")
    except LogoRefused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise LogoRefused(
            message=_("Berkas ini bukan gambar yang dapat dibaca; unggah PNG, JPEG atau WebP.")
        ) from None
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def store_logo(data: bytes) -> str:
    """Check and store an uploaded logo in the active city's media folder;
    returns the ``branding.logo`` value naming it."""
    png = checked_logo_png(data)
    name = f"branding/logo-{hashlib.sha256(png).hexdigest()[:16]}.png"
    files = storage()
    if not files.exists(name):
        files.save(name, ContentFile(png))
    return UPLOAD_PREFIX + name


def open_uploaded_logo(logo: str):
    """The stored file of an uploaded logo (a file object), or None."""
    name = stored_logo_name(logo)
    if name is None:
        return None
    files = storage()
    if not files.exists(name):
        return None
    return files.open(name, "rb")
