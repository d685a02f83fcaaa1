"""Diskominfo's page of messaging channels: what is connected, which secret
this server lacks (by name, never a value), and the webhook address to give
the provider; each city sees its own."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.console.test_catalogue_routing import sign_in

MATARAM_SECRETS = (
    "KANAL_MATARAM_WHATSAPP_APP_SECRET",
    "KANAL_MATARAM_WHATSAPP_ACCESS_TOKEN",
    "KANAL_MATARAM_WHATSAPP_VERIFY_TOKEN",
)


def test_missing_secrets_are_named_and_present_ones_make_the_channel_connected(cities, monkeypatch):
    console = sign_in(cities["mataram"], "diskominfo-kanal")
    for name in MATARAM_SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KANAL_MATARAM_WHATSAPP_APP_SECRET", "rahasia-mataram-123")
    page = console.get("/admin/messaging/outboundmessage/kanal/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rahasia belum ada di server" in html
    assert "KANAL_MATARAM_WHATSAPP_ACCESS_TOKEN" in html
    assert "KANAL_MATARAM_WHATSAPP_APP_SECRET" not in html  # present: not listed
    assert "rahasia-mataram-123" not in html  # a value is never shown
    assert "http://mataram.localhost/channels/whatsapp/webhook/" in html
    assert "Belum disambungkan" in html  # Telegram, SMS, e-mail

    for name in MATARAM_SECRETS:
        monkeypatch.setenv(name, "x-" + name.lower())
    html = console.get("/admin/messaging/outboundmessage/kanal/").content.decode()
    assert "Tersambung" in html and "Rahasia belum ada di server" not in html


@pytest.mark.isolation
def test_each_city_sees_its_own_channels(cities):
    console = sign_in(cities["pangkalpinang"], "diskominfo-kanal-pkp")
    html = console.get("/admin/messaging/outboundmessage/kanal/").content.decode()
    assert "KANAL_PANGKALPINANG_TELEGRAM_BOT_TOKEN" in html
    assert "MATARAM" not in html
    connection.set_schema_to_public()


def test_an_operator_without_the_console_role_cannot_open_it(cities):
    from django.test import Client

    anonymous = Client(HTTP_HOST="mataram.localhost")
    page = anonymous.get("/admin/messaging/outboundmessage/kanal/")
    assert page.status_code == 302 and "/admin/login/" in page["Location"]
