"""Production refuses to start with an insecure default and names the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SAFE = {
    "KANAL_ENV": "production",
    "SECRET_KEY": "x" * 64,
    "DEBUG": "false",
    "ALLOWED_HOSTS": ".kanal.id,kanal.id",
    "DATABASE_URL": "postgres://kanal@db.internal:5432/kanal",
    "KANAL_BASE_DOMAIN": "kanal.id",
    # A deployment names its gateway classes; nothing here imports them.
    "KANAL_OTP_SENDER": "gateway.sms.OtpSender",
    "KANAL_NOTIFY_BACKEND": "gateway.sms.NotifyBackend",
}


def load_settings(**overrides: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SAFE}
    env.update(SAFE)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import kanal, kanal.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_starts_with_safe_settings():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False")


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"KANAL_BASE_DOMAIN": None}, "KANAL_BASE_DOMAIN"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"KANAL_ENV": "prod"}, "KANAL_ENV"),
        # Defaults that never reach a citizen: codes printed, messages marked sent.
        ({"KANAL_OTP_SENDER": "people.otp.ConsoleSender"}, "KANAL_OTP_SENDER"),
        ({"KANAL_NOTIFY_BACKEND": "notifications.backends.LoggingBackend"}, "KANAL_NOTIFY_BACKEND"),
        # Trusting every proxy would let any client forge its address.
        ({"KANAL_TRUSTED_PROXIES": "*"}, "KANAL_TRUSTED_PROXIES"),
        ({"KANAL_TRUSTED_PROXIES": "10.0.0.0/8,not-a-network"}, "KANAL_TRUSTED_PROXIES"),
    ],
)
def test_production_refuses_an_insecure_or_missing_setting(override, named):
    result = load_settings(**override)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.splitlines()[-1]


def test_production_without_sender_settings_sends_on_the_citizens_channels():
    """Unset, production uses the real senders (issue 18), never a console."""
    env = {k: v for k, v in os.environ.items() if k not in SAFE}
    env.update(SAFE)
    env.pop("KANAL_OTP_SENDER", None)
    env.pop("KANAL_NOTIFY_BACKEND", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import kanal, kanal.settings as s; print(s.KANAL_OTP_SENDER, s.KANAL_NOTIFY_BACKEND)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "messaging.otp.ChannelOtpSender",
        "messaging.delivery.ChannelBackend",
    ]
