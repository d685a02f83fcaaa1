"""WhatsApp Business Cloud API: the city's own number, through pywa.

Inbound: Meta signs every webhook with the city's Meta app secret
(``X-Hub-Signature-256``: HMAC-SHA256 of the raw body); a body that is not
signed with *this* city's secret is refused before anything is read, and a
correctly signed body for another phone number id (a webhook routed to the
wrong city) is refused too (ISOLATION.md #9). The verify-token handshake
answers Meta's subscription GET.

Outbound goes through pywa's client with the city's own access token. pywa
fixes the Graph API host in its ``GraphAPI`` (it has an ``api_version`` option
but no base-URL option), so the adapter hands pywa an ``httpx.Client`` of its
own and points that client at ``KANAL_WHATSAPP_API_BASE`` + version after pywa
set it up: in production the same graph.facebook.com, in tests the local fake.

Options become reply buttons (up to 3) or a list (4–10 rows) with WhatsApp's
length limits applied; a location question becomes a location request; a
template is sent when the 24-hour window is closed. Meta's refusals that
retrying cannot fix (not a WhatsApp number, invalid parameter, template
problems) are :class:`PermanentFailure`; outages and timeouts are retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

import httpx
from django.conf import settings as django_settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from pywa import WhatsApp, utils
from pywa.errors import WhatsAppError
from pywa.types import Button, Section, SectionList, SectionRow
from pywa.types.templates import BodyText, TemplateLanguage

from cityconfig.schema import WhatsAppSettings
from cityconfig.selectors import verification_policy
from messaging.adapters.base import (
    Incoming,
    MalformedWebhook,
    MediaRef,
    MediaTooLarge,
    Option,
    Outgoing,
    Parsed,
    SignatureInvalid,
    StatusUpdate,
    numbered,
)
from messaging.credentials import secret
from notifications.backends import PermanentFailure

logger = logging.getLogger("messaging.whatsapp")

SIGNATURE_HEADER = utils.HUB_SIG  # "X-Hub-Signature-256"
SIGNATURE_RE = re.compile(r"^sha256=[0-9a-f]{64}$")
CHALLENGE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")
SENDER_RE = re.compile(r"^[1-9][0-9]{6,14}$")

# WhatsApp's limits (Cloud API reference, interactive messages).
TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
LIST_ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
SECTION_TITLE_MAX = 24

# Graph API error codes that retrying the same message cannot fix.
PERMANENT_ERRORS = frozenset(
    {
        100,  # invalid parameter
        470,  # (legacy) outside the 24-hour window
        131008,  # required parameter missing
        131009,  # parameter value not valid
        131021,  # recipient cannot be the sender
        131026,  # undeliverable: not a WhatsApp number, old app, terms not accepted
        131030,  # recipient not in the allowed list (test numbers)
        131047,  # outside the 24-hour window: needs a template
        131051,  # unsupported message type
        132000,  # template: wrong number of parameters
        132001,  # template does not exist in this language
        132005,  # template: translated text too long
        132007,  # template: format character policy violated
        132012,  # template: parameter format mismatch
        132015,  # template paused
        132016,  # template disabled
        132068,  # flow blocked
        132069,  # flow throttled
    }
)

DOWNLOAD_CHUNK = 64 * 1024
MEGABYTE = 1024 * 1024
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
STATUSES = ("sent", "delivered", "read", "failed")


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends with ``body``."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def api_base() -> str:
    """Graph API root with version, read at call time (tests point it at a fake)."""
    base = django_settings.KANAL_WHATSAPP_API_BASE.rstrip("/")
    return f"{base}/{django_settings.KANAL_WHATSAPP_API_VERSION.strip('/')}"


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, an ellipsis marking a cut."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class WhatsAppAdapter:
    channel = "whatsapp"

    def __init__(self, settings: WhatsAppSettings):
        self.settings = settings

    # -- inbound ------------------------------------------------------------

    def handshake(self, request: HttpRequest) -> HttpResponse:
        """Meta's subscription check: echo the challenge when the verify token is ours."""
        expected = secret(self.settings.verify_token).encode()
        given = request.GET.get("hub.verify_token", "").encode()
        challenge = request.GET.get("hub.challenge", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and hmac.compare_digest(given, expected)
            and CHALLENGE_RE.match(challenge)
        ):
            return HttpResponse(challenge, content_type="text/plain")
        logger.warning("WhatsApp verification refused in %s", connection.schema_name)
        return HttpResponse("Forbidden", status=403, content_type="text/plain")

    def parse_webhook(self, request: HttpRequest) -> Parsed:
        body = request.body
        self._verify(body, request.headers.get(SIGNATURE_HEADER, ""))
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedWebhook("body is not JSON") from exc
        if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
            raise MalformedWebhook("not a WhatsApp Business Account webhook")
        incoming: list[Incoming] = []
        statuses: list[StatusUpdate] = []
        for entry in _items(payload.get("entry"), "entry"):
            for change in _items(entry.get("changes"), "changes"):
                if change.get("field") != "messages":
                    continue  # account, template and quality updates: nothing for the bot
                value = change.get("value")
                if not isinstance(value, dict):
                    raise MalformedWebhook("change without a value")
                self._check_number(value)
                names = _contact_names(value.get("contacts"))
                for item in _items(value.get("messages"), "messages"):
                    message = _incoming(item, names)
                    if message is not None:
                        incoming.append(message)
                statuses += [
                    status
                    for item in _items(value.get("statuses"), "statuses")
                    if (status := _status(item)) is not None
                ]
        return Parsed(incoming=tuple(incoming), statuses=tuple(statuses))

    def _verify(self, body: bytes, header: str) -> None:
        if not SIGNATURE_RE.match(header or ""):
            raise SignatureInvalid("X-Hub-Signature-256 missing or not sha256=<hex>")
        app_secret = secret(self.settings.app_secret)
        # pywa's validator: HMAC-SHA256 of the raw body, compared in constant time.
        if not utils.webhook_updates_validator(app_secret, body, header):
            raise SignatureInvalid("X-Hub-Signature-256 does not match this city's app secret")

    def _check_number(self, value: dict) -> None:
        metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
        number = str(metadata.get("phone_number_id") or "")
        if number != self.settings.phone_number_id:
            logger.error(
                "WhatsApp webhook for phone number id %s arrived in %s, whose number is %s: "
                "refused (check the Meta app's webhook URL)",
                number[:40] or "-",
                connection.schema_name,
                self.settings.phone_number_id,
            )
            raise MalformedWebhook("webhook for another phone number id")

    # -- outbound -----------------------------------------------------------

    def client(self, session: httpx.Client) -> WhatsApp:
        """pywa's client with the city's token on ``session`` (the caller
        closes it; adapters are built per use, so one session per call)."""
        version = django_settings.KANAL_WHATSAPP_API_VERSION.lstrip("v")
        wa = WhatsApp(
            phone_id=self.settings.phone_number_id,
            token=secret(self.settings.access_token),
            session=session,
            api_version=float(version),
        )
        # pywa has set graph.facebook.com on our session; point it where configured.
        session.base_url = api_base()
        return wa

    def send(self, address: str, message: Outgoing) -> str:
        to = address.removeprefix("+")
        session = httpx.Client(timeout=TIMEOUT)
        try:
            return self._deliver(self.client(session), to, message).id
        except WhatsAppError as exc:
            raise _refusal(exc) from None
        finally:
            session.close()

    def _deliver(self, wa: WhatsApp, to: str, message: Outgoing):
        if message.template:
            return wa.send_template(
                to=to,
                name=message.template,
                language=_template_language(message.template_language or "id"),
                params=[BodyText.params(*map(_template_param, message.template_params))]
                if message.template_params
                else None,
            )
        options = message.options
        if options and len(options) <= BUTTONS_MAX:
            return wa.send_message(
                to=to,
                text=clip(message.text, INTERACTIVE_BODY_MAX),
                buttons=[
                    Button(title=clip(o.title, BUTTON_TITLE_MAX), callback_data=o.id)
                    for o in options
                ],
            )
        if options and len(options) <= LIST_ROWS_MAX:
            return wa.send_message(
                to=to,
                text=clip(message.text, INTERACTIVE_BODY_MAX),
                buttons=SectionList(
                    button_title=clip(_("Pilih"), BUTTON_TITLE_MAX),
                    sections=[
                        Section(
                            title=clip(_("Pilihan"), SECTION_TITLE_MAX),
                            rows=[_row(o) for o in options],
                        )
                    ],
                ),
            )
        if options:  # more than a list holds: the numbers still work
            return wa.send_message(to=to, text=clip(numbered(message), TEXT_MAX))
        if message.ask_location:
            return wa.request_location(to=to, text=clip(message.text, INTERACTIVE_BODY_MAX))
        return wa.send_message(to=to, text=clip(message.text, TEXT_MAX))

    def fetch_media(self, media: MediaRef) -> tuple[bytes, str]:
        """Download a media id: Graph API → short-lived URL → bytes.

        Media over the city's upload limit (``max_upload_mb``) raises
        :class:`MediaTooLarge`: at once when the Graph API states its size, or
        as soon as the download passes the limit, so a huge file is never
        pulled whole. A media id that is gone is a :class:`PermanentFailure`;
        an outage is raised as is (the message is processed again later).
        The content type is the one the bytes show, not only the one declared
        (a "photo" that is not an image is ``application/octet-stream``).
        """
        cap = verification_policy().max_upload_mb * MEGABYTE
        session = httpx.Client(timeout=TIMEOUT)
        chunks: list[bytes] = []
        size = 0
        try:
            wa = self.client(session)
            info = wa.get_media_url(media.ref)
            if isinstance(info.file_size, int) and info.file_size > cap:
                raise MediaTooLarge(f"{info.file_size} bytes, the city takes {cap}")
            stream = wa.stream_media(info.url, chunk_size=DOWNLOAD_CHUNK)
            try:
                for chunk in stream:
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > cap:  # the stated size was wrong: stop here
                        raise MediaTooLarge(f"over {cap} bytes")
            finally:
                stream.close()
        except WhatsAppError as exc:
            raise _refusal(exc) from None
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code in (403, 404, 410):  # the URL expired or is gone
                raise PermanentFailure(
                    f"WhatsApp media download: {exc.response.status_code}"
                ) from None
            raise
        finally:
            session.close()
        declared = (info.mime_type or media.content_type or "").split(";")[0].strip().lower()
        data = b"".join(chunks)
        return data, sniffed_type(data, declared)


class WhatsAppUnavailable(Exception):
    """The Graph API refused for now (an outage, a throttle, a token to fix): retry."""


def _refusal(error: WhatsAppError) -> Exception:
    """pywa's error as what the outbox understands. (pywa's errors are frozen
    dataclasses, so they are translated rather than passed on.)"""
    text = f"Graph API error {error.code}: {error.message}"[:500]
    if error.code in PERMANENT_ERRORS:
        return PermanentFailure(text)
    return WhatsAppUnavailable(text)


def _row(option: Option) -> SectionRow:
    """A list row within WhatsApp's limits: a long title is cut, and then
    shown whole in the description when there is none."""
    title = clip(option.title, ROW_TITLE_MAX)
    description = option.description or (option.title if title != option.title.strip() else "")
    return SectionRow(
        title=title,
        callback_data=option.id,
        description=clip(description, ROW_DESCRIPTION_MAX) or None,
    )


def _template_param(value: str) -> str:
    """Meta refuses template parameters with line breaks, tabs or runs of spaces."""
    return clip(" ".join(str(value).split()), 1024) or "-"


def _template_language(code: str) -> TemplateLanguage:
    for language in TemplateLanguage:
        if language.value == code:
            return language
    raise PermanentFailure(f"WhatsApp does not know the template language {code!r}")


def sniffed_type(data: bytes, declared: str) -> str:
    """The image type the bytes carry; a declared image whose bytes are not
    one becomes ``application/octet-stream``; other types stay as declared."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return "image/heic"
    if declared.startswith("image/") or not declared:
        return "application/octet-stream"
    return declared


# -- reading the webhook's JSON ------------------------------------------------


def _items(value: Any, what: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MalformedWebhook(f"{what} is not a list of objects")
    return value


def _contact_names(contacts: Any) -> dict[str, str]:
    names = {}
    for contact in _items(contacts, "contacts"):
        profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
        name = profile.get("name")
        if isinstance(name, str):
            names[str(contact.get("wa_id") or "")] = name
    return names


def _timestamp(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise MalformedWebhook("timestamp is not a Unix time") from exc


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _part(item: dict, key: str) -> dict:
    part = item.get(key)
    if not isinstance(part, dict):
        raise MalformedWebhook(f"{key} message without its {key} object")
    return part


def _media(part: dict) -> MediaRef:
    media_id = part.get("id")
    if not isinstance(media_id, str | int) or not str(media_id).strip():
        raise MalformedWebhook("media without an id")
    return MediaRef(
        ref=str(media_id)[:200],
        content_type=_text(part.get("mime_type"))[:100],
        filename=_text(part.get("filename"))[:200],
    )


def _coordinate(value: Any, bound: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MalformedWebhook("location without coordinates")
    try:
        number = float(value)
    except ValueError as exc:
        raise MalformedWebhook("location coordinate is not a number") from exc
    if not -bound <= number <= bound:
        raise MalformedWebhook("location coordinate out of range")
    return number


def _incoming(item: dict, names: dict[str, str]) -> Incoming | None:
    """One ``messages[]`` element as an :class:`Incoming` (``None``: nothing to store)."""
    message_id = item.get("id")
    sender = str(item.get("from") or "")
    if not isinstance(message_id, str) or not message_id.strip():
        raise MalformedWebhook("message without an id")
    if not SENDER_RE.match(sender):
        raise MalformedWebhook("message sender is not a phone number")
    kind = item.get("type")
    fields: dict[str, Any] = {}
    if kind == "text":
        fields["text"] = _text(_part(item, "text").get("body"))
    elif kind == "image":
        image = _part(item, "image")
        fields.update(text=_text(image.get("caption")), media=(_media(image),))
    elif kind == "document":
        document = _part(item, "document")
        fields.update(text=_text(document.get("caption")), media=(_media(document),))
    elif kind == "location":
        location = _part(item, "location")
        fields.update(
            latitude=_coordinate(location.get("latitude"), 90),
            longitude=_coordinate(location.get("longitude"), 180),
        )
    elif kind == "interactive":
        interactive = _part(item, "interactive")
        chosen = interactive.get("button_reply") or interactive.get("list_reply")
        if isinstance(chosen, dict):
            fields.update(reply_id=_text(chosen.get("id")), text=_text(chosen.get("title")))
    elif kind == "button":  # a quick-reply button of a template
        button = _part(item, "button")
        fields.update(reply_id=_text(button.get("payload")), text=_text(button.get("text")))
    elif kind == "reaction":
        return None  # an emoji on one of our messages: not something to answer
    else:
        # Voice notes, stickers, videos, contacts…: stored without text so the
        # bot hands them to the operators' inbox.
        logger.info("WhatsApp %s message stored without text", str(kind)[:30])
    return Incoming(
        provider_message_id=message_id[:200],
        sender=f"+{sender}",
        received_at=_timestamp(item.get("timestamp")),
        display_name=names.get(sender, "")[:120],
        **fields,
    )


def _status(item: dict) -> StatusUpdate | None:
    status = item.get("status")
    message_id = item.get("id")
    if status not in STATUSES or not isinstance(message_id, str):
        return None
    error = ""
    errors = item.get("errors")
    if status == "failed" and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        title = _text(first.get("title")) or _text(first.get("message"))
        error = f"{first.get('code', '')}: {title}".strip(": ")
    return StatusUpdate(
        provider_message_id=message_id[:200],
        status=status,
        at=_timestamp(item.get("timestamp")),
        error=error[:2000],
    )
