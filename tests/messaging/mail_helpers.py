"""Fixtures and helpers for the SMS, e-mail and one-time-code tests: Jakarta
with its Twilio and Mailgun secrets, a fake Twilio on 127.0.0.1 reached through
the real twilio client, and a real SMTP server (aiosmtpd) for the replies.

Test modules import the fixtures they use from here (``from
tests.messaging.mail_helpers import sms_city, ...``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Iterator
from email.message import EmailMessage as ParsedMail
from email.utils import formatdate, make_msgid

import pytest
from aiosmtpd.controller import Controller
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from messaging.delivery import ChannelBackend
from messaging.inbound import process_pending

from devtools.fakes.base import FakeServer
from devtools.fakes.twilio import FakeTwilio, twilio_inbound
from notifications.delivery import deliver_due
from tests.conftest import CityClient, host
from tests.vendor.mail import Mailbox, free_port

JAKARTA_SID = "AC5d1f0b0c8e2a4c6f9b3d7e1a2c4f6b80"
JAKARTA_NUMBER = "+628111272206"
JAKARTA_ADDRESS = "dki@jakarta.go.id"
SMS_TOKEN = "test-jakarta-twilio-auth-token"
SIGNING_KEY = "test-jakarta-mailgun-signing-key"
INBOUND = "/channels/sms/inbound/"
STATUS = "/channels/sms/status/"
EMAIL_INBOUND = "/channels/email/inbound/"


# -- fixtures --------------------------------------------------------------------


@pytest.fixture
def sms_city(cities, settings, monkeypatch):
    """Jakarta, its channel secrets in the environment, the channel backend."""
    monkeypatch.setenv("KANAL_JAKARTA_SMS_AUTH_TOKEN", SMS_TOKEN)
    monkeypatch.setenv("KANAL_JAKARTA_EMAIL_WEBHOOK_SIGNING_KEY", SIGNING_KEY)
    settings.KANAL_NOTIFY_BACKEND = "messaging.delivery.ChannelBackend"
    settings.KANAL_WEBHOOK_BASE_URL = ""
    connection.set_tenant(cities["jakarta"])
    return cities["jakarta"]


@pytest.fixture
def fake_twilio(settings) -> Iterator[FakeTwilio]:
    twilio = FakeTwilio(accounts={JAKARTA_SID: SMS_TOKEN})
    server = FakeServer({"twilio": twilio}).start()
    settings.KANAL_SMS_API_BASE = twilio.base_url
    yield twilio
    server.stop()


class RefusingMailbox(Mailbox):
    """The test SMTP server; refuses the recipients in ``refused`` as a
    receiving server does an unknown mailbox (550)."""

    def __init__(self):
        super().__init__()
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def to_address(self, address: str) -> list[ParsedMail]:
        return [m for m in self.messages if address in (m["To"] or "")]


@pytest.fixture
def smtp_box(settings) -> Iterator[RefusingMailbox]:
    box = RefusingMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield box
    controller.stop()


# -- the work a webhook queues ---------------------------------------------------


def run_jobs(city, *, now=None):
    """What the Celery jobs do after a webhook: the conversation, then delivery."""
    connection.set_tenant(city)
    process_pending()
    return deliver_due(now=now, backend=ChannelBackend())


# -- SMS -------------------------------------------------------------------------


def new_sid(prefix: str = "SM") -> str:
    return f"{prefix}{secrets.token_hex(16)}"


def numbered_option(text: str, title_part: str) -> str:
    """The number before the option whose title contains ``title_part``."""
    for number, title in re.findall(r"^(\d+)\. (.+)$", text, re.MULTILINE):
        if title_part.lower() in title.lower():
            return number
    raise AssertionError(f"no option {title_part!r} in:\n{text}")


class SmsCitizen:
    """A phone writing to Jakarta's number through Twilio's (signed) webhook."""

    def __init__(self, city, twilio: FakeTwilio, phone: str):
        self.city = city
        self.twilio = twilio
        self.phone = phone
        self.client = CityClient(city.slug)

    def post(self, body: str = "", *, sid: str | None = None, media=(), token=SMS_TOKEN, **extra):
        url = f"http://{host(self.city.slug)}{INBOUND}"
        form, signature = twilio_inbound(
            url,
            token,
            sid=sid or new_sid(),
            from_=self.phone,
            to=extra.pop("to", JAKARTA_NUMBER),
            body=body,
            media=media,
            account_sid=extra.pop("account_sid", JAKARTA_SID),
        )
        response = self.client.post(INBOUND, form, HTTP_X_TWILIO_SIGNATURE=signature)
        connection.set_tenant(self.city)
        return response

    def say(self, body: str = "", **kwargs) -> str:
        """Write; returns everything the bot answered by SMS, joined."""
        before = len(self.twilio.sent)
        response = self.post(body, **kwargs)
        assert response.status_code == 200, response.content
        run_jobs(self.city)
        return "\n---\n".join(s["body"] for s in self.twilio.sent[before:] if s["to"] == self.phone)


# -- e-mail ----------------------------------------------------------------------


def mailgun_form(
    signing_key: str,
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    message_id: str | None = None,
    in_reply_to: str = "",
    extra_headers: tuple[tuple[str, str], ...] = (),
) -> dict:
    """The multipart form a Mailgun route's ``forward()`` posts: parsed
    fields, the headers as JSON, attachments as files, and Mailgun's signature
    (HMAC-SHA256 of timestamp + token with the webhook signing key)."""
    timestamp = str(int(time.time()))
    token = secrets.token_hex(25)
    signature = hmac.new(
        signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    message_id = message_id or make_msgid(domain="mail.example.id")
    headers = [
        ["From", sender],
        ["To", recipient],
        ["Subject", subject],
        ["Date", formatdate()],
        ["Message-Id", message_id],
        ["Mime-Version", "1.0"],
        *([["In-Reply-To", in_reply_to]] if in_reply_to else []),
        *[list(h) for h in extra_headers],
    ]
    form = {
        "recipient": recipient,
        "sender": sender,
        "from": sender,
        "subject": subject,
        "body-plain": text,
        "message-headers": json.dumps(headers),
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        "attachment-count": str(len(attachments)),
    }
    for n, (filename, data, content_type) in enumerate(attachments, 1):
        form[f"attachment-{n}"] = SimpleUploadedFile(filename, data, content_type=content_type)
    return form


class MailCitizen:
    """Someone writing to the city's address; replies arrive at the SMTP server."""

    def __init__(self, city, box: RefusingMailbox, address: str):
        self.city = city
        self.box = box
        self.address = address
        self.client = CityClient(city.slug)
        self.last_subject = ""

    def post(self, text: str, *, subject: str = "", key: str = SIGNING_KEY, **kwargs):
        form = mailgun_form(
            key,
            sender=kwargs.pop("sender", self.address),
            recipient=kwargs.pop("recipient", JAKARTA_ADDRESS),
            subject=subject,
            text=text,
            **kwargs,
        )
        response = self.client.post(EMAIL_INBOUND, form)
        connection.set_tenant(self.city)
        return response

    def write(self, text: str, *, subject: str = "", **kwargs) -> list[ParsedMail]:
        """Send a mail; returns the mails the city sent back."""
        before = len(self.box.to_address(self.address))
        response = self.post(text, subject=subject, **kwargs)
        assert response.status_code == 200, response.content
        run_jobs(self.city)
        return self.box.to_address(self.address)[before:]

    def reply(self, text: str, answered: ParsedMail, **kwargs) -> list[ParsedMail]:
        """Answer a mail the city sent, as a mail client does: "Re:" subject,
        In-Reply-To, and the earlier mail quoted below."""
        quoted = "\n".join(f"> {line}" for line in Mailbox.text(answered).splitlines())
        body = (
            f"{text}\n\nOn Mon, 2 Jun 2025 at 09:12, Jakarta <{JAKARTA_ADDRESS}> wrote:\n{quoted}\n"
        )
        return self.write(
            body,
            subject=f"Re: {answered['Subject']}",
            in_reply_to=answered["Message-ID"],
            **kwargs,
        )
