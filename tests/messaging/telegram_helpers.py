"""Telegram test fixtures: Pangkalpinang's bot wired to the fake Bot API, and a
:class:`TelegramChat` that plays one Telegram user through the real webhook,
the inbound job and the outbox's real delivery."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from messaging.delivery import ChannelBackend
from messaging.inbound import process_pending
from messaging.models import Conversation

from devtools.fakes.telegram import FakeTelegram, telegram_update
from notifications.delivery import deliver_due
from tests.conftest import host
from tests.factories import CENTERS
from verification.samples import phone_photo

BOT_TOKEN = "7000001:test-pangkalpinang-bot-token"
SECRET_TOKEN = "test-pangkalpinang-webhook-secret"
WEBHOOK = "/channels/telegram/webhook/"
PHONE = "6281234567890"  # as Telegram sends it: international, without "+"

_update_ids = itertools.count(500_000)
_chat_ids = itertools.count(880_000_001)


@pytest.fixture
def telegram_fake(fake_providers, monkeypatch, settings) -> FakeTelegram:
    """The fake Bot API, emptied and knowing only Pangkalpinang's token;
    Pangkalpinang's Telegram secrets in the environment and Kanal pointed at
    the fake with the real outbox backend."""
    fake: FakeTelegram = fake_providers.providers["telegram"]
    fake.reset()
    fake.tokens = {BOT_TOKEN}
    monkeypatch.setenv("KANAL_PANGKALPINANG_TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("KANAL_PANGKALPINANG_TELEGRAM_SECRET_TOKEN", SECRET_TOKEN)
    settings.KANAL_TELEGRAM_API_BASE = fake.base_url
    settings.KANAL_NOTIFY_BACKEND = "messaging.delivery.ChannelBackend"
    yield fake
    fake.reset()
    fake.tokens = None


@pytest.fixture
def chat(cities, telegram_fake):
    """A new Telegram user in a private chat with Pangkalpinang's bot."""
    return TelegramChat(cities["pangkalpinang"], telegram_fake)


def document_photo(fake: FakeTelegram, near: tuple[float, float], *, seed: int = 41) -> str:
    """A fresh geotagged phone photo sent "as file" (EXIF kept): its file_id."""
    data = phone_photo(
        seed=seed,
        width=800,
        height=600,
        taken_at=datetime.now(UTC) - timedelta(minutes=5),
        gps=(near[0] + 0.0001, near[1] + 0.0001),
    )
    return fake.add_file(data)


class TelegramChat:
    """One Telegram user: each call posts an update to the city's webhook,
    runs the inbound job and delivers the outbox, and returns what the fake
    Bot API was asked to send to this chat meanwhile."""

    def __init__(self, city, fake: FakeTelegram, chat_id: int | None = None, slug: str = ""):
        self.city = city
        self.fake = fake
        self.chat_id = chat_id or next(_chat_ids)
        self.client = Client(HTTP_HOST=host(slug or city.slug))
        self.last_response = None

    @property
    def center(self) -> tuple[float, float]:
        return CENTERS[self.city.slug]

    def update(self, **fields) -> dict:
        return telegram_update(next(_update_ids), self.chat_id, **fields)

    def post(self, update: dict | str | bytes, *, secret: str | None = SECRET_TOKEN):
        body = update if isinstance(update, (str, bytes)) else json.dumps(update)
        headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
        self.last_response = self.client.post(
            WEBHOOK, data=body, content_type="application/json", **headers
        )
        return self.last_response

    def deliver(self, *, now: datetime | None = None) -> list[dict]:
        """Deliver the city's due outbox; what went to this chat."""
        before = len(self.fake.sent)
        connection.set_tenant(self.city)
        deliver_due(backend=ChannelBackend(), now=now)
        return [m for m in self.fake.sent[before:] if m["chat_id"] == str(self.chat_id)]

    def send_update(self, update: dict) -> list[dict]:
        response = self.post(update)
        assert response.status_code == 200, response.content
        connection.set_tenant(self.city)
        process_pending()
        return self.deliver()

    def says(self, **fields) -> list[dict]:
        """The user does something (``text=``, ``location=``, ``callback_data=``…)."""
        return self.send_update(self.update(**fields))

    def conversation(self) -> Conversation:
        connection.set_tenant(self.city)
        return Conversation.objects.get(channel="telegram", address=str(self.chat_id))

    # -- the steps of a report -----------------------------------------------------

    def to_location_step(self) -> list[dict]:
        answers = self.says(text="/start")
        group = next(
            b for b in answers[-1]["buttons"] if "jalan-infrastruktur" in b["callback_data"]
        )
        answers = self.says(callback_data=group["callback_data"])
        category = next(
            b for b in answers[-1]["buttons"] if b["callback_data"] == "cat:jalan-rusak"
        )
        return self.says(callback_data=category["callback_data"])

    def to_contact_step(self) -> list[dict]:
        self.to_location_step()
        self.says(location=self.center)
        self.says(document_file_id=document_photo(self.fake, self.center))
        return self.says(text="Jalan berlubang dalam di depan sekolah, berbahaya bagi motor.")
