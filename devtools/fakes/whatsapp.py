"""A local WhatsApp Cloud API (Graph API) for tests and the demo.

It answers what Kanal's adapter asks through pywa, in the Graph API's own
shapes: ``POST /{version}/{phone_number_id}/messages`` (text, interactive
buttons/lists/location requests, templates), ``GET /{version}/{media_id}``
(the media's short-lived URL) and ``GET /media/{id}`` (the bytes). Like Meta
it checks the bearer token of the phone number (so a test proves each city
sends with its own token), WhatsApp's length limits on interactive messages,
and refuses numbers listed in ``unknown_numbers`` with error 131026.

:func:`whatsapp_webhook` and :func:`whatsapp_status_webhook` build the
webhook bodies Meta would post; sign them with
``messaging.adapters.whatsapp.sign``.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from devtools.fakes.base import Answer, FakeProvider, Request

_ids = itertools.count(1)
_media_ids = itertools.count(4_100_000_000_001)


def graph_error(status: int, code: int, message: str, details: str = "") -> Answer:
    """An error body as the Graph API writes it."""
    error: dict[str, Any] = {
        "message": f"(#{code}) {message}",
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AFakeTraceId",
    }
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return Answer(status, {"error": error})


class Invalid(Exception):
    """A message the real API would refuse with 131009."""


@dataclass
class FakeWhatsApp(FakeProvider):
    #: phone_number_id → access token it accepts (empty: any bearer token)
    tokens: dict[str, str] = field(default_factory=dict)
    #: numbers (digits, or +digits) that are not on WhatsApp
    unknown_numbers: set[str] = field(default_factory=set)
    #: media id → (bytes, mime type, owning phone_number_id or "")
    media: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)
    #: media id → the size the API states when it is not the real one
    stated_sizes: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        super().reset()
        self.tokens.clear()
        self.unknown_numbers.clear()
        self.media.clear()
        self.stated_sizes.clear()

    def add_media(
        self,
        data: bytes,
        mime_type: str,
        *,
        phone_number_id: str = "",
        stated_size: int | None = None,
    ) -> str:
        """Media a citizen sent; returns its id for a webhook. ``stated_size``:
        what the API claims the size is (a test of a wrong claim)."""
        media_id = str(next(_media_ids))
        self.media[media_id] = (data, mime_type, phone_number_id)
        if stated_size is not None:
            self.stated_sizes[media_id] = stated_size
        return media_id

    # -- HTTP ---------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        parts = request.path.split("?")[0].strip("/").split("/")
        if request.method == "GET" and len(parts) == 2 and parts[0] == "media":
            return self._media_bytes(request, parts[1])
        if request.method == "POST" and len(parts) == 3 and parts[2] == "messages":
            return self._message(request, parts[1])
        if request.method == "GET" and len(parts) == 2:
            return self._media_info(request, parts[1])
        return graph_error(400, 100, "Unsupported request", request.path)

    def _bearer(self, request: Request) -> str:
        for name, value in request.headers.items():
            if name.lower() == "authorization" and value.startswith("Bearer "):
                return value.removeprefix("Bearer ")
        return ""

    def _authorized(self, request: Request, phone_number_id: str) -> bool:
        token = self._bearer(request)
        if not token:
            return False
        if not self.tokens:
            return True
        if phone_number_id:
            return self.tokens.get(phone_number_id) == token
        return token in self.tokens.values()

    def _unauthorized(self) -> Answer:
        return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")

    def _message(self, request: Request, phone_number_id: str) -> Answer:
        if not self._authorized(request, phone_number_id):
            return self._unauthorized()
        try:
            body = request.json()
            to = str(body["to"]).removeprefix("+")
            record = {"id": "", "phone_number_id": phone_number_id, "to": to, **_read(body)}
        except Invalid as exc:
            return graph_error(400, 131009, "Parameter value is not valid", str(exc))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return graph_error(400, 100, "Invalid parameter", repr(exc))
        if not to.isdigit():
            return graph_error(400, 100, "Invalid parameter", "to must be a phone number")
        unknown = {n.removeprefix("+") for n in self.unknown_numbers}
        if to in unknown:
            return graph_error(
                400,
                131026,
                "Message Undeliverable.",
                "The recipient phone number is not a WhatsApp phone number.",
            )
        record["id"] = f"wamid.{next(_ids)}"
        self.sent.append(record)
        answer: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": str(body["to"]), "wa_id": to}],
            "messages": [{"id": record["id"]}],
        }
        if record["type"] == "template":
            answer["messages"][0]["message_status"] = "accepted"
        return Answer(200, answer)

    def _media_info(self, request: Request, media_id: str) -> Answer:
        found = self.media.get(media_id)
        if not self._authorized(request, found[2] if found else ""):
            return self._unauthorized()
        if found is None:
            return graph_error(
                400, 100, f"Unsupported get request. Object with ID '{media_id}' does not exist"
            )
        data, mime_type, _owner = found
        return Answer(
            200,
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/media/{media_id}",
                "mime_type": mime_type,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": self.stated_sizes.get(media_id, len(data)),
                "id": media_id,
            },
        )

    def _media_bytes(self, request: Request, media_id: str) -> Answer:
        found = self.media.get(media_id)
        if not self._authorized(request, found[2] if found else ""):
            return Answer(401, b"", "text/plain")
        if found is None:
            return Answer(404, b"", "text/plain")
        return Answer(200, found[0], found[1])


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise Invalid(what)


def _read(body: dict) -> dict:
    """What a message asks WhatsApp to show, checked against the API's limits."""
    kind = body["type"]
    if kind == "text":
        text = body["text"]["body"]
        _check(0 < len(text) <= 4096, "text body must be 1-4096 characters")
        return {"type": "text", "text": text, "options": [], "template": None}
    if kind == "interactive":
        interactive = body["interactive"]
        text = interactive["body"]["text"]
        _check(0 < len(text) <= 1024, "interactive body must be 1-1024 characters")
        sub = interactive["type"]
        action = interactive.get("action") or {}
        options = []
        if sub == "button":
            buttons = action["buttons"]
            _check(1 <= len(buttons) <= 3, "1-3 reply buttons")
            for button in buttons:
                title = button["reply"]["title"]
                _check(0 < len(title) <= 20, f"button title {title!r} over 20 characters")
                options.append({"id": button["reply"]["id"], "title": title, "description": ""})
        elif sub == "list":
            _check(0 < len(action["button"]) <= 20, "list button over 20 characters")
            rows = [row for section in action["sections"] for row in section["rows"]]
            _check(1 <= len(rows) <= 10, "1-10 list rows")
            for section in action["sections"]:
                _check(len(section.get("title", "")) <= 24, "section title over 24 characters")
            for row in rows:
                _check(0 < len(row["title"]) <= 24, f"row title {row['title']!r} over 24")
                description = row.get("description", "")
                _check(len(description) <= 72, "row description over 72 characters")
                _check(len(row["id"]) <= 200, "row id over 200 characters")
                options.append({"id": row["id"], "title": row["title"], "description": description})
        elif sub != "location_request_message":
            raise Invalid(f"interactive type {sub} not faked")
        return {
            "type": "interactive",
            "interactive": sub,
            "text": text,
            "options": options,
            "template": None,
        }
    if kind == "template":
        template = body["template"]
        params = [
            parameter["text"]
            for component in template.get("components") or []
            if str(component.get("type", "")).lower() == "body"
            for parameter in component.get("parameters") or []
        ]
        return {
            "type": "template",
            "text": "",
            "options": [],
            "template": {
                "name": template["name"],
                "language": template["language"]["code"],
                "params": params,
            },
        }
    raise Invalid(f"message type {kind} not faked")


# -- webhooks Meta would post ------------------------------------------------------


def _envelope(phone_number_id: str, value: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "6281100000000",
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def whatsapp_webhook(
    phone_number_id: str,
    sender: str,
    *,
    text: str | None = None,
    image_id: str | None = None,
    location: tuple[float, float] | None = None,
    reply_id: str | None = None,
    message_id: str | None = None,
    reply_title: str = "",
    list_reply: bool = True,
    document_id: str | None = None,
    kind: str | None = None,
    name: str = "Warga Kota",
    timestamp: int | None = None,
) -> dict:
    """A Cloud API webhook with one message from ``sender`` (``+62…`` or digits).

    One of: ``text``; ``image_id`` (with ``text`` as caption); ``location``
    (lat, lon); ``reply_id`` (a list row, or a reply button with
    ``list_reply=False``); ``document_id``; or ``kind`` alone for a type
    without content here (``sticker``, ``audio``…).
    """
    wa_id = sender.removeprefix("+")
    message: dict[str, Any] = {
        "from": wa_id,
        "id": message_id or f"wamid.in.{next(_ids)}",
        "timestamp": str(timestamp or int(time.time())),
    }
    if image_id is not None:
        message.update(
            type="image", image={"id": image_id, "mime_type": "image/jpeg", "sha256": "x"}
        )
        if text:
            message["image"]["caption"] = text
    elif document_id is not None:
        message.update(
            type="document",
            document={"id": document_id, "mime_type": "application/pdf", "filename": "surat.pdf"},
        )
    elif location is not None:
        message.update(
            type="location", location={"latitude": location[0], "longitude": location[1]}
        )
    elif reply_id is not None:
        sub = "list_reply" if list_reply else "button_reply"
        message.update(
            type="interactive",
            interactive={"type": sub, sub: {"id": reply_id, "title": reply_title or reply_id}},
        )
    elif kind is not None:
        message.update(type=kind, **{kind: {"id": "1"}})
    else:
        message.update(type="text", text={"body": text or ""})
    return _envelope(
        phone_number_id,
        {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [message]},
    )


def whatsapp_status_webhook(
    phone_number_id: str,
    message_id: str,
    status: str,
    *,
    recipient: str = "6281234567001",
    error_code: int | None = None,
    error_title: str = "",
    timestamp: int | None = None,
) -> dict:
    """A delivery callback (``sent``/``delivered``/``read``/``failed``)."""
    item: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(timestamp or int(time.time())),
        "recipient_id": recipient.removeprefix("+"),
    }
    if error_code is not None:
        item["errors"] = [{"code": error_code, "title": error_title or "Failed"}]
    return _envelope(phone_number_id, {"statuses": [item]})
