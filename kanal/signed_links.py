"""Signed, expiring links to private files, bound to the active city.

An ``<img>`` cannot carry a bearer token, so the API, which has checked who
may see a file, hands out its URL with a token. The token signs the file's
identity with a salt holding the city's schema: a link of one city opens
nothing on another city's host (ISOLATION.md #7), and a link cannot be bent
to another file. Report photos (``reports.photo_links``) and inbox attachments
(``messaging.media_views``) both use it.
"""

from __future__ import annotations

from django.core import signing
from django.db import connection

MAX_TOKEN = 200


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"kanal.{purpose}:{connection.schema_name}")


def link_token(purpose: str, value: str) -> str:
    """The token for ``value`` (the file's identity) in the active city."""
    return _signer(purpose).sign(value)[len(value) + 1 :]


def token_is_valid(purpose: str, value: str, token: str | None, max_age: int) -> bool:
    if not token or len(token) > MAX_TOKEN:
        return False
    try:
        _signer(purpose).unsign(f"{value}:{token}", max_age=max_age)
    except signing.BadSignature:
        return False
    return True
