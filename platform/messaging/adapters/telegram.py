"""Telegram through the Bot API, with python-telegram-bot (PTB).

Inbound: Telegram posts each update to the city's webhook with the
``secret_token`` the city registered in ``setWebhook``, echoed in the
``X-Telegram-Bot-Api-Secret-Token`` header; that header is the only proof the
update comes from Telegram for this city's bot, so it is compared in constant
time before the body is read. Only private chats with people are taken: a
group the bot was added to is not a citizen.

Outbound: PTB is asynchronous and Kanal's delivery is not, so every call runs
in a fresh event loop with its own HTTP client, closed when the call ends: no
loop or connection outlives one send (Celery workers fork; a pooled client
bound to a dead loop fails later in confusing ways).

Telegram gives no phone number with a message. A citizen is known only by a
contact they share that is *their own* (``contact.user_id`` equals the sender):
Telegram vouches for that number; anyone else's card is just text.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.request import BaseRequest, HTTPXRequest

from cityconfig.schema import TelegramSettings
from messaging.adapters.base import (
    Incoming,
    MalformedWebhook,
    MediaRef,
    MediaTooLarge,
    Outgoing,
    Parsed,
    SignatureInvalid,
    numbered,
)
from messaging.credentials import secret
from notifications.backends import PermanentFailure

logger = logging.getLogger("messaging.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096  # Telegram's limit for one message
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit for a button's callback_data
IMAGE_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}

T = TypeVar("T")


class _RedactBotToken(logging.Filter):
    """httpx logs each request's URL at INFO, and a Bot API URL carries the
    bot's token (``/bot<token>/sendMessage``): log lines never show it."""

    pattern = re.compile(r"/(?:file/)?bot[0-9]+(?::|%3A)[A-Za-z0-9_-]+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message or "/file/bot" in message:
            record.msg, record.args = self.pattern.sub("/bot<token>", message), ()
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _RedactBotToken) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_RedactBotToken())


class TelegramUnavailable(Exception):
    """Telegram did not take the request (network, outage, flood wait): retried."""


class _OfflineRequest(BaseRequest):
    """PTB's objects want a Bot; parsing a webhook must never reach the
    network, so the Bot used there gets a request object that refuses to."""

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        raise RuntimeError("parsing a Telegram update does not call the Bot API")


def _run(coroutine: Awaitable[T]) -> T:
    """Run ``coroutine`` to completion in a new event loop, also when the
    caller's thread already runs one (then in a worker thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class TelegramAdapter:
    channel = "telegram"

    def __init__(self, settings: TelegramSettings):
        self.settings = settings
        self._callback_query_ids: list[str] = []

    # -- the Bot -------------------------------------------------------------------

    def _bot(self, request: BaseRequest) -> Bot:
        base = django_settings.KANAL_TELEGRAM_API_BASE.rstrip("/")
        return Bot(
            secret(self.settings.bot_token),
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=request,
            get_updates_request=request,
        )

    def _call(self, action: Callable[[Bot], Awaitable[T]]) -> T:
        """One Bot API conversation in its own loop and HTTP client. The Bot is
        not ``initialize()``d: that would cost a getMe before every message,
        and the methods used here need nothing it caches."""
        token = secret(self.settings.bot_token)

        async def session() -> T:
            request = HTTPXRequest(connection_pool_size=2, read_timeout=15.0, connect_timeout=5.0)
            await request.initialize()
            try:
                return await action(self._bot(request))
            finally:
                await request.shutdown()

        try:
            return _run(session())
        except (Forbidden, BadRequest) as exc:
            # Forbidden: the user blocked the bot or deleted their account;
            # BadRequest ("chat not found", a malformed request): the same
            # request cannot succeed later.
            raise PermanentFailure(_scrub(f"Telegram: {exc}", token)) from None
        except InvalidToken as exc:
            # The city's token is wrong or revoked: an operations mistake that a
            # corrected secret fixes, so the message waits and is retried.
            raise TelegramUnavailable(
                _scrub(f"Telegram refused the bot token: {exc}", token)
            ) from None
        except TelegramError as exc:  # NetworkError, TimedOut, RetryAfter, Conflict…
            raise TelegramUnavailable(
                _scrub(f"Telegram: {type(exc).__name__}: {exc}", token)
            ) from None

    # -- inbound ---------------------------------------------------------------------

    def parse_webhook(self, request: HttpRequest) -> Parsed:
        expected = secret(self.settings.secret_token)
        given = request.headers.get(SECRET_HEADER, "")
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureInvalid("missing or wrong X-Telegram-Bot-Api-Secret-Token")
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise MalformedWebhook("body is not JSON") from exc
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
            raise MalformedWebhook("not a Telegram update (no update_id)")
        bot = self._bot(_OfflineRequest())
        try:
            incoming = self._incoming(Update.de_json(data, bot))
        except Exception as exc:  # PTB reading a shape it does not expect, at any depth
            raise MalformedWebhook(
                f"update {update_id} not readable: {type(exc).__name__}"
            ) from exc
        return Parsed(incoming=(incoming,) if incoming else ())

    def _incoming(self, update: Update) -> Incoming | None:
        """The update as a message from a person, or None for what the bot
        does not act on (edits, group chats, other bots, membership changes)."""
        if update.callback_query is not None:
            return self._pressed(update.update_id, update.callback_query)
        message = update.message
        if message is None or message.chat.type != "private":
            return None
        user = message.from_user
        if user is None or user.is_bot:
            return None
        return Incoming(
            provider_message_id=str(update.update_id),
            sender=str(message.chat.id),
            received_at=_aware(message.date),
            text=_storable(message.text or message.caption or ""),
            display_name=_storable(user.full_name),
            latitude=message.location.latitude if message.location else None,
            longitude=message.location.longitude if message.location else None,
            contact_phone=_own_contact(message),
            language=user.language_code or "",
            media=_media(message),
        )

    def _pressed(self, update_id: int, query: CallbackQuery) -> Incoming | None:
        """An inline-keyboard button: its callback data is the option id."""
        chat = query.message.chat if query.message is not None else None
        if query.from_user.is_bot or (chat is not None and chat.type != "private"):
            return None
        self._callback_query_ids.append(query.id)
        return Incoming(
            provider_message_id=str(update_id),
            sender=str(chat.id if chat is not None else query.from_user.id),
            received_at=timezone.now(),  # the press; the message's date is the bot's own
            display_name=_storable(query.from_user.full_name),
            reply_id=_storable(query.data or ""),
            language=query.from_user.language_code or "",
        )

    def acknowledge(self, parsed: Parsed) -> HttpResponse | None:
        """Stop the button's spinner: a webhook may answer with one Bot API
        call in its response body, so a press is answered at once without a
        request of our own (Telegram does not report that call's result)."""
        if not self._callback_query_ids:
            return None
        query_id = self._callback_query_ids.pop()
        return JsonResponse({"method": "answerCallbackQuery", "callback_query_id": query_id})

    # -- outbound --------------------------------------------------------------------

    def send(self, address: str, message: Outgoing) -> str:
        try:
            chat_id = int(address)
        except ValueError:
            raise PermanentFailure("not a Telegram chat id") from None
        text, markup = self._rendered(address, message)

        async def post(bot: Bot) -> Message:
            return await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)

        sent = self._call(post)
        return f"{sent.chat.id}:{sent.message_id}"

    def _rendered(self, address: str, message: Outgoing):
        """The text and keyboard: options as inline buttons (numbered, so
        typing the number works as well), else the contact or location button,
        else the previous reply keyboard taken away."""
        text = message.text
        if message.options:
            ids_fit = all(
                len(option.id.encode()) <= MAX_CALLBACK_DATA for option in message.options
            )
            if not ids_fit:  # never cut an id: fall back to numbered lines
                return _cut(numbered(message)), ReplyKeyboardRemove()
            rows = [
                [InlineKeyboardButton(f"{n}. {option.title}"[:120], callback_data=option.id)]
                for n, option in enumerate(message.options, 1)
            ]
            return _cut(text), InlineKeyboardMarkup(rows)
        if message.ask_contact or message.ask_location:
            with translation.override(self._language(address)):
                button = (
                    KeyboardButton(_("Bagikan nomor telepon"), request_contact=True)
                    if message.ask_contact
                    else KeyboardButton(_("Bagikan lokasi"), request_location=True)
                )
            keyboard = ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
            return _cut(text), keyboard
        return _cut(text), ReplyKeyboardRemove()

    def _language(self, address: str) -> str:
        """The conversation's language: a chat reply is delivered outside the
        conversation's translation, but the button's label belongs to it."""
        from messaging.models import Conversation

        language = (
            Conversation.objects.filter(channel=self.channel, address=address)
            .values_list("language", flat=True)
            .first()
        )
        return language or translation.get_language() or "id"

    def fetch_media(self, media: MediaRef) -> tuple[bytes, str]:
        """getFile, then the file itself; above the city's upload limit nothing
        is downloaded (Telegram states the size) and MediaTooLarge is raised."""
        from cityconfig.selectors import verification_policy

        limit = verification_policy().max_upload_mb * 1024 * 1024

        async def download(bot: Bot) -> bytes:
            found = await bot.get_file(media.ref)
            if found.file_size and found.file_size > limit:
                raise MediaTooLarge(f"Telegram file of {found.file_size} bytes")
            return bytes(await found.download_as_bytearray())

        data = self._call(download)
        # A file of unstated size is kept to what the conversation checks
        # (Telegram's own getFile serves at most 20 MB).
        return data, _content_type(data, media.content_type)


def _own_contact(message: Message) -> str:
    """The shared contact's number when it is the sender's own (Telegram has
    verified it); someone else's card does not name the sender."""
    contact = message.contact
    user = message.from_user
    if contact is None or user is None or contact.user_id != user.id:
        return ""
    digits = "".join(c for c in contact.phone_number if c.isdigit())
    return f"+{digits}" if digits else ""


def _media(message: Message) -> tuple[MediaRef, ...]:
    """The largest size of a photo (Telegram sends several, recompressed,
    without EXIF), or a document as the file the sender chose (an image sent
    "as file" keeps its EXIF)."""
    if message.photo:
        largest = max(
            message.photo, key=lambda size: (size.width * size.height, size.file_size or 0)
        )
        return (
            MediaRef(
                ref=_storable(largest.file_id), content_type="image/jpeg", size=largest.file_size
            ),
        )
    document = message.document
    if document is not None:
        return (
            MediaRef(
                ref=_storable(document.file_id),
                content_type=_storable(document.mime_type or "application/octet-stream")[:100],
                filename=_storable(document.file_name or ""),
                size=document.file_size,
            ),
        )
    return ()


def _content_type(data: bytes, declared: str) -> str:
    """Trust a declared JPEG/PNG only when the bytes start like one: a
    document's mime type is the sender's claim. Other image types are checked
    by the photo inspection that follows."""
    signatures = IMAGE_SIGNATURES.get(declared)
    if signatures is not None and not data.startswith(signatures):
        return "application/octet-stream"
    return declared or "application/octet-stream"


def _storable(text: str) -> str:
    """What PostgreSQL can store: no NUL, no lone surrogate (JSON allows both)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _aware(moment):
    if moment is None:
        return timezone.now()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _scrub(text: str, token: str) -> str:
    """Error texts land in the outbox's ``last_error``: never with the token."""
    return text.replace(token, "<token>") if token else text
