"""E-mail: inbound through the mail provider's webhook (django-anymail's
Mailgun inbound handling), replies through Django's e-mail backend.

The webhook is checked by anymail's own Mailgun signature validation, keyed
with *this city's* ``webhook_signing_key`` (from its config and environment,
never a global ``ANYMAIL`` setting), so a mail signed for Mataram is refused
on Jakarta's host; a correctly signed mail is still refused unless it was
addressed to the city's own address (ISOLATION.md #9).

Mailgun's route must *forward* to ``https://<city host>/channels/email/inbound/``
in the fully parsed form (not ``store()``, not raw MIME: a raw message over 2 MB
is refused by Django's field limit). Photos in a mail keep their EXIF, so the
full photo verification applies to them.

Replies go out from the city's address (``Reply-To`` the same, so the answer
comes back here): the SMTP relay must be allowed to send for that domain
(SPF/DKIM), otherwise the citizens' providers file the replies as spam.
"""

from __future__ import annotations

import logging
import re
import smtplib
from email.utils import formataddr

from anymail.exceptions import AnymailError, AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import strip_tags

from cityconfig.schema import EmailSettings
from messaging.adapters.base import (
    Incoming,
    MalformedWebhook,
    MediaRef,
    Outgoing,
    Parsed,
    SignatureInvalid,
    numbered,
)
from messaging.credentials import secret
from notifications.backends import PermanentFailure

logger = logging.getLogger("messaging.email")

SMALL_INLINE_IMAGE = 20 * 1024  # logos in signatures, not photos of the problem
MAX_SUBJECT = 200
REPLY_SUBJECT = re.compile(r"^\s*(re|aw|sv|fw|fwd|bls|balas|tr)\s*:", re.IGNORECASE)
# Where the quoted earlier mail starts, in the clients citizens use.
QUOTE_START = (
    re.compile(r"^on\b.{0,200}\bwrote:\s*$", re.IGNORECASE),  # Gmail, Apple Mail (en)
    re.compile(r"^pada\b.{0,200}\bmenulis:\s*$", re.IGNORECASE),  # Gmail (id)
    re.compile(r"^-{2,}\s*(original message|pesan asli)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^_{10,}\s*$"),  # Outlook's separator
    re.compile(r"^-- $"),  # the signature delimiter
)
# Outlook quotes the earlier mail under its headers: "From: …" then "Sent: …".
QUOTED_FROM = re.compile(r"^(from|dari):\s", re.IGNORECASE)
QUOTED_NEXT = re.compile(r"^(sent|dikirim|date|tanggal|to|kepada):\s", re.IGNORECASE)
AUTOMATIC = {"auto_reply", "bulk", "junk", "list"}  # Precedence values


def strip_quoted(text: str) -> str:
    """The new part of a reply: up to the quoted mail, without ``>`` lines."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for n, line in enumerate(lines):
        joined = f"{line} {lines[n + 1]}".strip() if n + 1 < len(lines) else line
        if any(p.match(line.strip()) or p.match(joined) for p in QUOTE_START[:2]):
            break
        if any(p.match(line) for p in QUOTE_START[2:]):
            break
        following = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if QUOTED_FROM.match(line.strip()) and QUOTED_NEXT.match(following):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _sniffed(data: bytes, declared: str) -> str:
    """The type the bytes say, for the two kinds phones send (a declared
    ``image/jpg`` or ``application/octet-stream`` is common)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return (declared or "application/octet-stream").split(";")[0].strip().lower()


class EmailAdapter:
    channel = "email"

    #: Mailgun retries a refused webhook for hours unless it is answered 406.
    malformed_status = 406

    def __init__(self, settings: EmailSettings):
        self.settings = settings

    @property
    def address(self) -> str:
        return self.settings.address.lower()

    # -- webhook -----------------------------------------------------------------

    def parse_webhook(self, request: HttpRequest) -> Parsed:
        view = MailgunInboundWebhookView(
            webhook_signing_key=secret(self.settings.webhook_signing_key)
        )
        try:
            request.POST, request.FILES  # noqa: B018 - parse now: limits refuse here
        except SuspiciousOperation as exc:  # too big, too many files
            raise MalformedWebhook(f"mail not readable: {type(exc).__name__}") from exc
        try:
            view.run_validators(request)
        except AnymailWebhookValidationFailure as exc:
            raise SignatureInvalid(str(exc)) from exc
        try:
            events = view.parse_events(request)
        except (AnymailError, KeyError, ValueError, TypeError) as exc:
            raise MalformedWebhook(f"not a Mailgun inbound forward: {type(exc).__name__}") from exc
        incoming = []
        for event in events:
            item = self._incoming(event.message, event.event_id or "")
            if item is not None:
                incoming.append(item)
        return Parsed(incoming=tuple(incoming))

    def _incoming(self, message, token: str) -> Incoming | None:
        if self.address not in self._recipients(message):
            logger.warning("mail to an address that is not this city's refused")
            raise MalformedWebhook("recipient is not the city's address")
        sender = self._sender(message)
        if sender == self.address or self._automatic(message):
            logger.info("automatic or looping mail ignored")
            return None
        if message.spam_detected:
            logger.info("mail the provider marked as spam ignored")
            return None
        message_id = (message["Message-ID"] or "").strip()[:200]
        if not message_id:
            if not token:
                raise MalformedWebhook("mail without Message-ID")
            message_id = f"mailgun:{token}"
        return Incoming(
            provider_message_id=message_id,
            sender=sender,
            received_at=timezone.now(),
            text=self._text(message),
            display_name=(message.from_email.display_name or "")[:120],
            media=tuple(self._media(message)),
        )

    def _recipients(self, message) -> set[str]:
        envelope = message.envelope_recipient
        if envelope:
            return {a.strip().lower() for a in envelope.split(",")}
        return {a.addr_spec.lower() for a in [*message.to, *message.cc]}

    @staticmethod
    def _sender(message) -> str:
        sender = message.from_email
        if sender is None or isinstance(sender, list):
            raise MalformedWebhook("mail without a single From address")
        address = sender.addr_spec.strip().lower()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise MalformedWebhook("From is not an e-mail address") from exc
        return address

    @staticmethod
    def _automatic(message) -> bool:
        """Auto-replies and lists (RFC 3834): answering them starts mail loops."""
        submitted = (message["Auto-Submitted"] or "no").strip().lower()
        precedence = (message["Precedence"] or "").strip().lower()
        return submitted != "no" or precedence in AUTOMATIC or bool(message["X-Autoreply"])

    @staticmethod
    def _text(message) -> str:
        body = message.stripped_text
        if not body:
            body = message.text
            if body is None and message.html:
                body = strip_tags(message.html)
            body = strip_quoted(body or "")
        subject = re.sub(r"\s+", " ", message.subject or "").strip()[:MAX_SUBJECT]
        replying = REPLY_SUBJECT.match(subject) or message["In-Reply-To"]
        parts = [subject] if subject and not replying else []
        if body.strip():
            parts.append(body.strip())
        return "\n".join(parts)

    def _media(self, message) -> list[MediaRef]:
        """Attachments (and inline pictures big enough to be photos), at most
        the city's ``max_upload_mb`` × 5 in all; the rest is dropped."""
        from cityconfig.selectors import verification_policy

        budget = verification_policy().max_upload_mb * 5 * 1024 * 1024
        found: list[MediaRef] = []
        for part in message.walk():
            if part.is_multipart() or not (part.is_attachment() or part.is_inline()):
                continue
            try:
                data = part.get_content_bytes() or b""
            except (ValueError, AssertionError):
                continue
            content_type = _sniffed(data, part.get_content_type())
            if part.is_inline() and (
                not content_type.startswith("image/") or len(data) < SMALL_INLINE_IMAGE
            ):
                continue
            if len(data) > budget:
                logger.warning("mail attachments over the size limit dropped")
                break
            budget -= len(data)
            found.append(
                MediaRef(
                    data=data,
                    content_type=content_type[:100],
                    filename=(part.get_filename() or "")[:200],
                    size=len(data),
                )
            )
        return found

    # -- sending -------------------------------------------------------------------

    def send(self, address: str, message: Outgoing) -> str:
        from cityconfig.selectors import city_profile

        body = numbered(message)
        subject = message.subject or (body.splitlines() or [""])[0]
        domain = self.address.rpartition("@")[2]
        message_id = make_msgid(domain=domain)
        mail = EmailMessage(
            subject=subject.strip()[:120],
            body=body,
            from_email=formataddr((city_profile().name, self.settings.address)),
            to=[address],
            reply_to=[self.settings.address],
            headers={"Message-ID": message_id, "Auto-Submitted": "auto-replied"},
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure("the mail server refused the recipient") from exc
        return message_id

    def fetch_media(self, media: MediaRef) -> tuple[bytes, str]:
        """E-mail carries its files inline; nothing to download."""
        return media.data or b"", media.content_type
