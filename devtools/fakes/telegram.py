"""A stand-in for the Telegram Bot API (https://core.telegram.org/bots/api), as
python-telegram-bot calls it: form-encoded POSTs to ``/bot<token>/<method>``
answered with ``{"ok": true, "result": …}``, files at ``/file/bot<token>/<path>``.

Only the methods Kanal uses are answered (``getMe``, ``sendMessage``,
``answerCallbackQuery``, ``getFile`` and the file download); errors look like
Telegram's: an unknown token is ``401 Unauthorized``, a chat that blocked the
bot ``403 Forbidden``, an unknown chat ``400 Bad Request: chat not found``.

:func:`telegram_update` builds the JSON Telegram posts to a webhook, for tests
and ``channel_simulate``.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from devtools.fakes.base import Answer, FakeProvider, Request

TOKEN_RE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$")
PATH_RE = re.compile(r"^/(?P<file>file/)?bot(?P<token>[^/]+)/(?P<rest>.+)$")


def _error(status: int, description: str) -> Answer:
    return Answer(status, {"ok": False, "error_code": status, "description": description})


def _ok(result) -> Answer:
    return Answer(200, {"ok": True, "result": result})


@dataclass
class FakeTelegram(FakeProvider):
    """``tokens``: the bot tokens Telegram knows (None: any well-formed token,
    for the demo). ``sent`` holds one dict per sendMessage: chat_id, text,
    buttons (inline: text and callback_data), keyboard (reply-keyboard labels),
    request_contact, request_location, remove_keyboard."""

    tokens: set[str] | None = None
    blocked_chats: set[str] = field(default_factory=set)  # chat ids as strings
    unknown_chats: set[str] = field(default_factory=set)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # file_id → (path, bytes)
    answered: list[dict] = field(default_factory=list)  # answerCallbackQuery calls
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def reset(self) -> None:
        super().reset()
        self.blocked_chats.clear()
        self.unknown_chats.clear()
        self.answered.clear()

    def add_file(self, data: bytes, content_type: str = "image/jpeg") -> str:
        """Store a file a citizen sent; returns its file_id."""
        n = next(self._ids)
        extension = "png" if content_type == "image/png" else "jpg"
        file_id = f"AgACAgUAAx{n:08d}"
        self.files[file_id] = (f"photos/file_{n}.{extension}", bytes(data))
        return file_id

    # -- dispatch ---------------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        match = PATH_RE.match(unquote(urlsplit(request.path).path))
        if match is None:
            return _error(404, "Not Found")
        token = match["token"]
        known = TOKEN_RE.match(token) is not None if self.tokens is None else token in self.tokens
        if not known:
            return _error(401, "Unauthorized")
        if match["file"]:
            return self._download(match["rest"])
        method = match["rest"]
        params = self._params(request)
        answer = getattr(self, f"_{method}", None)
        if answer is None:
            return _error(404, "Not Found")
        return answer(token, params)

    @staticmethod
    def _params(request: Request) -> dict[str, str]:
        """PTB posts form fields whose non-string values are JSON-encoded."""
        content_type = request.headers.get("Content-Type", request.headers.get("content-type", ""))
        if "json" in content_type:
            data = request.json() or {}
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
        pairs = parse_qs(request.body.decode(), keep_blank_values=True)
        return {k: v[-1] for k, v in pairs.items()}

    # -- methods ------------------------------------------------------------------------

    def _getMe(self, token: str, params: dict) -> Answer:
        return _ok(
            {
                "id": int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1,
                "is_bot": True,
                "first_name": "Lapor",
                "username": "LaporFakeBot",
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    def _sendMessage(self, token: str, params: dict) -> Answer:
        chat_id = params.get("chat_id", "")
        if chat_id in self.blocked_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.unknown_chats or not chat_id.lstrip("-").isdigit():
            return _error(400, "Bad Request: chat not found")
        text = params.get("text", "")
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        markup = json.loads(params.get("reply_markup") or "{}")
        buttons = [
            {"text": b["text"], "callback_data": b.get("callback_data", "")}
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]
        if any(len(b["callback_data"].encode()) > 64 for b in buttons):
            return _error(400, "Bad Request: BUTTON_DATA_INVALID")
        keys = [b for row in markup.get("keyboard", []) for b in row]
        message_id = next(self._ids)
        self.sent.append(
            {
                "chat_id": chat_id,
                "text": text,
                "buttons": buttons,
                "keyboard": [k["text"] if isinstance(k, dict) else k for k in keys],
                "request_contact": any(
                    isinstance(k, dict) and k.get("request_contact") for k in keys
                ),
                "request_location": any(
                    isinstance(k, dict) and k.get("request_location") for k in keys
                ),
                "remove_keyboard": bool(markup.get("remove_keyboard")),
                "message_id": message_id,
            }
        )
        return _ok(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": int(chat_id), "type": "private"},
                "from": {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Lapor"},
                "text": text,
            }
        )

    def _answerCallbackQuery(self, token: str, params: dict) -> Answer:
        self.answered.append(dict(params))
        return _ok(True)

    def _getFile(self, token: str, params: dict) -> Answer:
        file_id = params.get("file_id", "")
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id[-8:]}",
                "file_size": len(data),
                "file_path": path,
            }
        )

    def _download(self, path: str) -> Answer:
        for stored_path, data in self.files.values():
            if stored_path == path:
                return Answer(200, data, content_type="application/octet-stream")
        return _error(404, "Not Found")


def _user(chat_id: int, first_name: str, last_name: str, language_code: str | None) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    if language_code:
        user["language_code"] = language_code
    return user


def telegram_update(
    update_id: int,
    chat_id: int,
    *,
    text: str | None = None,
    photo_file_id: str | None = None,
    document_file_id: str | None = None,
    mime_type: str = "image/jpeg",
    file_name: str = "IMG_20250101_101010.jpg",
    location: tuple[float, float] | None = None,
    contact_phone: str | None = None,
    contact_user_id: int | None = None,
    callback_data: str | None = None,
    language_code: str | None = "id",
    first_name: str = "Budi",
    last_name: str = "Santoso",
    chat_type: str = "private",
) -> dict:
    """The update Telegram posts for one thing a user did in a private chat:
    a text, a photo (several sizes, as Telegram sends it), an image sent as a
    file, a location, a contact (the sender's own unless ``contact_user_id``
    names someone else), or a press of an inline button (``callback_data``)."""
    user = _user(chat_id, first_name, last_name, language_code)
    chat = {"id": chat_id, "type": chat_type, "first_name": first_name}
    if callback_data is not None:
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"{chat_id}{update_id}",
                "from": user,
                "chat_instance": f"ci{chat_id}",
                "data": callback_data,
                "message": {
                    "message_id": update_id,
                    "date": int(time.time()) - 5,
                    "chat": chat,
                    "from": {"id": 123456, "is_bot": True, "first_name": "Lapor"},
                    "text": "…",
                },
            },
        }
    message: dict = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat,
        "from": user,
    }
    if photo_file_id is not None:
        message["photo"] = [
            {"file_id": f"{photo_file_id}-s", "file_unique_id": "s", "width": 90, "height": 67},
            {"file_id": photo_file_id, "file_unique_id": "x", "width": 1280, "height": 960},
            {"file_id": f"{photo_file_id}-m", "file_unique_id": "m", "width": 320, "height": 240},
        ]
        if text is not None:
            message["caption"] = text
    elif document_file_id is not None:
        message["document"] = {
            "file_id": document_file_id,
            "file_unique_id": f"d{update_id}",
            "file_name": file_name,
            "mime_type": mime_type,
        }
        if text is not None:
            message["caption"] = text
    elif text is not None:
        message["text"] = text
    if location is not None:
        message["location"] = {"latitude": location[0], "longitude": location[1]}
    if contact_phone is not None:
        message["contact"] = {
            "phone_number": contact_phone,
            "first_name": first_name,
            "user_id": chat_id if contact_user_id is None else contact_user_id,
        }
    return {"update_id": update_id, "message": message}
