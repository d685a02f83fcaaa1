"""Fixtures for the messaging tests: the fake providers on 127.0.0.1 (one
server for the session, each provider emptied before a test) and WhatsApp
wired to it with each city's own test secrets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.fakes.base import FakeServer

WHATSAPP_SECRETS = {
    "mataram": {
        "APP_SECRET": "mataram-app-secret",
        "ACCESS_TOKEN": "mataram-access-token",
        "VERIFY_TOKEN": "mataram-verify-token",
    },
    "serang": {
        "APP_SECRET": "serang-app-secret",
        "ACCESS_TOKEN": "serang-access-token",
        "VERIFY_TOKEN": "serang-verify-token",
    },
}
WHATSAPP_NUMBER_IDS = {"mataram": "106540352242922", "serang": "110273845512001"}


@pytest.fixture(scope="session")
def fake_providers() -> Iterator[FakeServer]:
    """Every fake provider (``devtools.fakes``) on one local port."""
    from devtools.fakes.__main__ import providers

    server = FakeServer(providers()).start()
    yield server
    server.stop()


@pytest.fixture
def whatsapp_fake(fake_providers, monkeypatch, settings):
    """The fake Graph API, emptied, knowing each city's access token; the
    cities' WhatsApp secrets in the environment and Kanal pointed at the fake
    with the real outbox backend."""
    fake = fake_providers.providers["whatsapp"]
    fake.reset()
    for slug, values in WHATSAPP_SECRETS.items():
        for name, value in values.items():
            monkeypatch.setenv(f"KANAL_{slug.upper()}_WHATSAPP_{name}", value)
        fake.tokens[WHATSAPP_NUMBER_IDS[slug]] = values["ACCESS_TOKEN"]
    settings.KANAL_WHATSAPP_API_BASE = fake.base_url
    settings.KANAL_NOTIFY_BACKEND = "messaging.delivery.ChannelBackend"
    yield fake
    fake.reset()
