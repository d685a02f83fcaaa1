"""What every channel adapter reads from and writes to: plain values, so the
conversation logic never sees a provider's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class MediaRef:
    """A photo or file of a message: a provider reference to download later
    (WhatsApp media id, Telegram file id), or the bytes themselves (e-mail)."""

    ref: str = ""
    content_type: str = ""
    filename: str = ""
    data: bytes | None = None
    size: int | None = None


@dataclass(frozen=True)
class Incoming:
    """One inbound message as the adapter parsed it from a webhook."""

    provider_message_id: str
    sender: str  # the channel address: E.164 number, Telegram chat id, e-mail address
    received_at: datetime
    text: str = ""
    display_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    reply_id: str = ""  # the id of the list row or button the sender chose
    contact_phone: str = ""  # the sender's *own* contact, verified by the provider
    language: str = ""  # a hint from the provider (Telegram's language_code)
    media: tuple[MediaRef, ...] = ()


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery callback: ``sent``, ``delivered``, ``read`` or ``failed``."""

    provider_message_id: str
    status: str
    at: datetime
    error: str = ""


@dataclass(frozen=True)
class Option:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Outgoing:
    """A reply: text, maybe with options to pick from (a WhatsApp list or
    buttons, a Telegram keyboard, numbered lines on SMS and e-mail), or a
    template for when WhatsApp's 24-hour window is closed."""

    text: str
    options: tuple[Option, ...] = ()
    ask_location: bool = False  # offer the channel's "share location" button
    ask_contact: bool = False  # Telegram: the "share my number" button
    template: str = ""  # WhatsApp template name
    template_language: str = ""
    template_params: tuple[str, ...] = field(default_factory=tuple)
    subject: str = ""  # e-mail


class Adapter(Protocol):
    channel: str

    def send(self, address: str, message: Outgoing) -> str:
        """Send; return the provider's message id. Raise
        ``notifications.backends.PermanentFailure`` when retrying cannot help
        (a number that does not exist), anything else to retry later."""

    def fetch_media(self, media: MediaRef) -> tuple[bytes, str]:
        """Download a media reference: ``(bytes, content type)``."""


def numbered(message: Outgoing) -> str:
    """The options as numbered lines, for channels without buttons (SMS, e-mail)."""
    if not message.options:
        return message.text
    lines = [message.text, ""]
    lines += [f"{n}. {option.title}" for n, option in enumerate(message.options, 1)]
    return "\n".join(lines)


@dataclass(frozen=True)
class Parsed:
    """What one webhook call carried."""

    incoming: tuple[Incoming, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()


class SignatureInvalid(Exception):
    """The webhook is unsigned or signed with another secret: nothing is stored."""


class MalformedWebhook(Exception):
    """Signed correctly, but not something the adapter can read."""


class MediaTooLarge(Exception):
    """``fetch_media``: the provider states the file is over the city's upload
    limit, so it is not downloaded (the bot says the photo is too large)."""
