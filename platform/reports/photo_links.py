"""Links to the photos of reports that are not public, for the people who may see them.

A rejected report (or one still under review, or kept private by the city) is
not in the public feed, so its photos are not served to everyone. Its reporter
and the city's staff still need to see them, and an ``<img>`` cannot carry a
bearer token, so the API hands them a signed, expiring link. The signature is
bound to the city's schema, so a link of one city never opens a photo of
another even when the tracking code and path are the same.
"""

from __future__ import annotations

from kanal.signed_links import link_token, token_is_valid

#: How long a signed photo link works: long enough for a page left open.
LINK_MAX_AGE = 6 * 60 * 60
PURPOSE = "report-photo"


def _value(tracking_code: str, kind: str, position: int) -> str:
    return f"{tracking_code}/{kind}/{position}"


def photo_path(tracking_code: str, kind: str, position: int) -> str:
    return f"/media/laporan/{tracking_code}/{kind}/{position}.jpg"


def signed_photo_url(tracking_code: str, kind: str, position: int) -> str:
    """The photo's URL with a token that lets this city's server send it."""
    token = link_token(PURPOSE, _value(tracking_code, kind, position))
    return f"{photo_path(tracking_code, kind, position)}?t={token}"


def link_is_valid(token: str | None, tracking_code: str, kind: str, position: int) -> bool:
    return token_is_valid(PURPOSE, _value(tracking_code, kind, position), token, LINK_MAX_AGE)
