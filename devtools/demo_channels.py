"""The demo's messaging setup: which seed cities have which channel connected,
their demo secrets, and where the local fake providers answer.

The demo (scripts/dev.py) exports these to the server and the worker and writes
them to ``.kanal/demo.env``, where ``manage.py channel_simulate`` finds them from
another terminal. They are demo values for a local machine, never a real city's.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_ENV_FILE = ROOT / ".kanal" / "demo.env"
FAKES_ADDR = os.environ.get("KANAL_DEMO_FAKES_ADDR", "127.0.0.1:8079")

DEMO_SECRETS = {
    "KANAL_MATARAM_WHATSAPP_APP_SECRET": "demo-mataram-whatsapp-app-secret",
    "KANAL_MATARAM_WHATSAPP_ACCESS_TOKEN": "demo-mataram-whatsapp-token",
    "KANAL_MATARAM_WHATSAPP_VERIFY_TOKEN": "demo-mataram-verify",
    "KANAL_SERANG_WHATSAPP_APP_SECRET": "demo-serang-whatsapp-app-secret",
    "KANAL_SERANG_WHATSAPP_ACCESS_TOKEN": "demo-serang-whatsapp-token",
    "KANAL_SERANG_WHATSAPP_VERIFY_TOKEN": "demo-serang-verify",
    "KANAL_PANGKALPINANG_TELEGRAM_BOT_TOKEN": "123456:demo-pangkalpinang-bot-token",
    "KANAL_PANGKALPINANG_TELEGRAM_SECRET_TOKEN": "demo-pangkalpinang-secret",
    "KANAL_JAKARTA_SMS_AUTH_TOKEN": "demo-jakarta-twilio-auth-token",
    "KANAL_JAKARTA_EMAIL_WEBHOOK_SIGNING_KEY": "demo-jakarta-mailgun-signing-key",
}


def demo_environment(fakes_addr: str = FAKES_ADDR) -> dict[str, str]:
    base = f"http://{fakes_addr}"
    return {
        **DEMO_SECRETS,
        "KANAL_WHATSAPP_API_BASE": f"{base}/whatsapp",
        "KANAL_TELEGRAM_API_BASE": f"{base}/telegram",
        "KANAL_SMS_API_BASE": f"{base}/twilio",
        "KANAL_DEMO_FAKES_URL": base,
    }


def write_demo_env(env: dict[str, str]) -> Path:
    DEMO_ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    DEMO_ENV_FILE.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
    return DEMO_ENV_FILE


def read_demo_env() -> dict[str, str]:
    if not DEMO_ENV_FILE.exists():
        return {}
    pairs = (line.split("=", 1) for line in DEMO_ENV_FILE.read_text().splitlines() if "=" in line)
    return {k: v for k, v in pairs}
