"""Sign-in codes on the city's own channels (messaging.otp.ChannelOtpSender):
Jakarta by SMS (fake Twilio through the real twilio client), Mataram by its
WhatsApp authentication template (fake Graph API through pywa), a city with
neither refused; the code never appears in a log line."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from messaging.otp import OtpChannelMissing, OtpNotSent

from people.models import OtpChallenge
from people.otp import request_otp, verify_otp
from tests.conftest import ROOT, host
from tests.messaging import mail_helpers

PHONE = "+6281311113333"
SENDER = "messaging.otp.ChannelOtpSender"

# Fixtures shared by the SMS, e-mail and OTP tests (tests/messaging/mail_helpers.py).
fake_twilio = mail_helpers.fake_twilio
sms_city = mail_helpers.sms_city


@pytest.fixture
def channel_sender(settings, caplog):
    settings.KANAL_OTP_SENDER = SENDER
    caplog.set_level(logging.DEBUG)


def _request(capture) -> None:
    with capture(execute=True):
        request_otp(PHONE, client_ip="203.0.113.9")


def test_jakarta_sends_the_code_by_sms(
    sms_city,
    fake_twilio,
    channel_sender,
    caplog,
    django_capture_on_commit_callbacks,
):
    _request(django_capture_on_commit_callbacks)
    [sms] = fake_twilio.sent
    assert sms["to"] == PHONE and sms["from"] == "+628111272206"
    code = re.match(r"^(\d{6}) ", sms["body"]).group(1)
    assert sms["body"].endswith(f"@{host('jakarta')} #{code}")  # Web OTP autofill
    assert verify_otp(PHONE, code).phone == PHONE
    assert code not in caplog.text
    assert "sign-in code sent" in caplog.text


def test_mataram_sends_the_code_with_its_whatsapp_template(
    cities, whatsapp_fake, channel_sender, caplog, django_capture_on_commit_callbacks
):
    connection.set_tenant(cities["mataram"])
    _request(django_capture_on_commit_callbacks)
    [message] = whatsapp_fake.sent
    assert message["to"] == PHONE.removeprefix("+")
    assert message["phone_number_id"] == "106540352242922"
    template = message["template"]
    assert (template["name"], template["language"]) == ("kanal_kode_masuk", "id")
    [code] = template["params"]
    assert verify_otp(PHONE, code).phone == PHONE
    assert code not in caplog.text


@pytest.mark.parametrize("slug", ["pangkalpinang", "serang"])  # Telegram only; no otp_template
def test_a_city_without_an_otp_channel_refuses_clearly(
    slug, cities, settings, channel_sender, caplog, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setenv("KANAL_SERANG_WHATSAPP_ACCESS_TOKEN", "serang-access-token")
    connection.set_tenant(cities[slug])
    with pytest.raises(OtpChannelMissing) as refusal:
        _request(django_capture_on_commit_callbacks)
    assert refusal.value.code == "UNAVAILABLE"
    assert "SMS atau WhatsApp" in refusal.value.message
    assert "no channel for sign-in codes" in caplog.text
    challenge = OtpChallenge.objects.get(phone=PHONE)
    assert not re.search(r"\b\d{6}\b", caplog.text.replace(challenge.code_hash, ""))


def test_an_sms_outage_refuses_without_the_code_in_logs(
    sms_city,
    fake_twilio,
    channel_sender,
    caplog,
    django_capture_on_commit_callbacks,
):
    fake_twilio.fail_next = 1
    with pytest.raises(OtpNotSent):
        _request(django_capture_on_commit_callbacks)
    assert not fake_twilio.sent
    assert not re.search(r"\b\d{6}\b", caplog.text)
    assert "not sent: RuntimeError" in caplog.text


def test_production_defaults_to_the_channel_sender():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KANAL_")},
        "KANAL_ENV": "production",
        "SECRET_KEY": "x" * 64,
        "DEBUG": "false",
        "ALLOWED_HOSTS": ".kanal.id",
        "DATABASE_URL": "postgres://kanal@db.internal:5432/kanal",
        "KANAL_BASE_DOMAIN": "kanal.id",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import kanal, kanal.settings as s; print(s.KANAL_OTP_SENDER)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SENDER
