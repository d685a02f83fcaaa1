"""Links to the photos of reports that are not public, for the people who may see them.

A rejected report (or one still under review, or kept private by the city) is
not in the public feed, so its photos are not served to everyone. Its reporter
and the city's staff still need to see them, and an ``<img>`` cannot carry a
bearer token, so the API hands them a signed, expiring link. The signature is
bound to the city's schema, so a link of one city never opens a photo of
another even when the tracking code and path are the same.
"""

from __future__ import annotations

from django.core import signing
from django.db import connection

#: How long a signed photo link works: long enough for a page left open.
LINK_MAX_AGE = 6 * 60 * 60


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"kanal.report-photo:{connection.schema_name}")


def _value(tracking_code: str, kind: str, position: int) -> str:
    return f"{tracking_code}/{kind}/{position}"


def photo_path(tracking_code: str, kind: str, position: int) -> str:
    return f"/media/laporan/{tracking_code}/{kind}/{position}.jpg"


def signed_photo_url(tracking_code: str, kind: str, position: int) -> str:
    """The photo's URL with a token that lets this city's server send it."""
    value = _value(tracking_code, kind, position)
    token = _signer().sign(value)[len(value) + 1 :]
    return f"{photo_path(tracking_code, kind, position)}?t={token}"


def link_is_valid(token: str | None, tracking_code: str, kind: str, position: int) -> bool:
    if not token or len(token) > 200:
        return False
    value = _value(tracking_code, kind, position)
    try:
        _signer().unsign(f"{value}:{token}", max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return False
    return True
