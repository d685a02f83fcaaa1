"""Attachments of inbox items, for the city's operators only.

An inbox photo is a citizen's private message: it is never public and never
served by its path on disk. An ``<img>`` cannot carry the operator's bearer
token, so the API (which checks the operator's role) hands out a signed,
expiring link, as :mod:`reports.photo_links` does for non-public report
photos. The signature is bound to the city's schema and to the message's uid
and the attachment's position, so a link of one city opens nothing on
another city's host, and a link cannot be bent to another file.
"""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404, HttpRequest

from kanal.signed_links import link_token, token_is_valid
from messaging.models import InboundMessage

#: Shorter than report photos' links: these are private messages.
LINK_MAX_AGE = 60 * 60
#: Types a browser may show inline; anything else is sent as a download.
INLINE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


PURPOSE = "inbox-media"


def _value(uid: str, position: int) -> str:
    return f"{uid}/{position}"


def media_path(uid: str, position: int) -> str:
    return f"/channels/media/{uid}/{position}"


def signed_media_url(uid: str, position: int) -> str:
    """The attachment's URL with a token that lets this city's server send it."""
    return f"{media_path(uid, position)}?t={link_token(PURPOSE, _value(uid, position))}"


def link_is_valid(token: str | None, uid: str, position: int) -> bool:
    return token_is_valid(PURPOSE, _value(uid, position), token, LINK_MAX_AGE)


def inbox_media(request: HttpRequest, uid: str, position: int):
    """One attachment of one item, with a valid link only; 404 otherwise (the
    same answer for a bad link, another city's item and a missing file)."""
    try:
        key = str(uuid.UUID(uid))
    except ValueError:
        raise Http404("media") from None
    if not link_is_valid(request.GET.get("t"), key, position):
        raise Http404("media")
    message = InboundMessage.objects.filter(uid=key).first()
    media = list(message.media.order_by("pk")[position : position + 1]) if message else []
    if not media:
        raise Http404("media")
    item = media[0]
    try:
        file = item.file.open("rb")
    except OSError as exc:
        raise Http404("media") from exc
    inline = item.content_type in INLINE_TYPES
    response = FileResponse(
        file,
        content_type=item.content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=f"lampiran-{position + 1}",
    )
    response["Cache-Control"] = f"private, max-age={LINK_MAX_AGE}"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response
