"""A citizen on WhatsApp, Telegram, SMS or e-mail, played against the running
demo (``manage.py channel_simulate``): each message is the webhook the provider
would post, signed with the city's demo secret, sent to the city's host; the
bot's answers are read back from the fake provider the demo runs."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import secrets
import time
from email.utils import formatdate, make_msgid
from pathlib import Path

import httpx
import yaml

from devtools.fakes.telegram import telegram_update
from devtools.fakes.twilio import twilio_inbound
from devtools.fakes.whatsapp import whatsapp_webhook

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SENDERS = {
    "whatsapp": "+6281234567001",
    "telegram": "700100200",
    "sms": "+6281234567002",
    "email": "warga.demo@contoh.id",
}
PROVIDER_OF = {"whatsapp": "whatsapp", "telegram": "telegram", "sms": "twilio"}
WEBHOOKS = {
    "whatsapp": "/channels/whatsapp/webhook/",
    "telegram": "/channels/telegram/webhook/",
    "sms": "/channels/sms/inbound/",
    "email": "/channels/email/inbound/",
}


class SimulationError(Exception):
    pass


def _secret(ref: str) -> str:
    name = ref.removeprefix("env:")
    value = os.environ.get(name)
    if not value:
        raise SimulationError(f"{name} is not set (is the demo running? see .kanal/demo.env)")
    return value


class Simulation:
    def __init__(self, *, city: str, channel: str, server: str, sender: str = ""):
        path = ROOT / "tenant_configs" / f"{city}.yaml"
        if not path.exists():
            raise SimulationError(f"no city '{city}' in tenant_configs/")
        config = yaml.safe_load(path.read_text()) or {}
        settings = (config.get("messaging") or {}).get(channel)
        if not settings:
            connected = [c for c in (config.get("messaging") or {}) if c in WEBHOOKS]
            raise SimulationError(
                f"{city} has no {channel} connected (connected: {', '.join(connected) or 'none'})"
            )
        self.city, self.channel, self.settings = city, channel, settings
        self.server = server
        self.sender = sender or DEFAULT_SENDERS[channel]
        self.fakes = os.environ.get("KANAL_DEMO_FAKES_URL", "http://127.0.0.1:8079")
        port = server.rsplit(":", 1)[-1]
        self.host = f"{city}.localhost:{port}"
        self.url = f"http://{server}{WEBHOOKS[channel]}"
        self._ids = itertools.count(int(time.time() * 1000))

    def describe(self) -> str:
        return f"{self.channel} from {self.sender} to {self.city} ({self.host})"

    # -- the fake provider ---------------------------------------------------

    def answers(self) -> list[str]:
        """What the bot has sent this sender so far, as text."""
        provider = PROVIDER_OF.get(self.channel)
        if provider is None:
            return []
        try:
            sent = httpx.get(f"{self.fakes}/_sent/{provider}", timeout=5).json()
        except httpx.HTTPError as exc:
            raise SimulationError(f"the fake providers do not answer at {self.fakes}") from exc
        mine = [s for s in sent if self._addressed_to_me(s)]
        return [_as_text(s) for s in mine]

    def _addressed_to_me(self, sent: dict) -> bool:
        to = str(sent.get("to") or sent.get("chat_id") or "")
        return to.removeprefix("+") == self.sender.removeprefix("+")

    def _upload(self, data: bytes) -> str:
        provider = PROVIDER_OF[self.channel]
        params = {"account": self.settings.get("account_sid", "")}
        answer = httpx.post(
            f"{self.fakes}/_media/{provider}",
            content=data,
            params=params,
            headers={"Content-Type": "image/jpeg"},
            timeout=10,
        )
        return answer.json()["ref"]

    # -- the webhook ------------------------------------------------------------

    def send(self, *, text="", photo=None, location=None, share_contact=False) -> int:
        build = getattr(self, f"_{self.channel}")
        try:
            response = build(text=text, photo=photo, location=location, share_contact=share_contact)
        except httpx.HTTPError as exc:
            raise SimulationError(f"the demo does not answer at {self.server}: {exc}") from exc
        return response.status_code

    def _post(self, **kwargs) -> httpx.Response:
        headers = {"Host": self.host, **kwargs.pop("headers", {})}
        return httpx.post(self.url, headers=headers, timeout=30, **kwargs)

    def _whatsapp(self, *, text, photo, location, share_contact) -> httpx.Response:
        image_id = self._upload(photo) if photo else None
        body = whatsapp_webhook(
            self.settings["phone_number_id"],
            self.sender,
            text=text or None,
            image_id=image_id,
            location=location,
            message_id=f"wamid.simulated.{time.time_ns()}",
        )
        raw = json.dumps(body).encode()
        digest = hmac.new(
            _secret(self.settings["app_secret"]).encode(), raw, hashlib.sha256
        ).hexdigest()
        return self._post(
            content=raw,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"},
        )

    def _telegram(self, *, text, photo, location, share_contact) -> httpx.Response:
        file_id = self._upload(photo) if photo else None
        body = telegram_update(
            next(self._ids) % 2_000_000_000,
            int(self.sender),
            text=text or None,
            photo_file_id=file_id,
            location=location,
            contact_phone="+6281234567003" if share_contact else None,
        )
        return self._post(
            json=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": _secret(self.settings["secret_token"])},
        )

    def _sms(self, *, text, photo, location, share_contact) -> httpx.Response:
        media = ((self._upload(photo), "image/jpeg"),) if photo else ()
        public_url = f"http://{self.host}{WEBHOOKS['sms']}"
        form, signature = twilio_inbound(
            public_url,
            _secret(self.settings["auth_token"]),
            sid="SM" + secrets.token_hex(16),
            from_=self.sender,
            to=self.settings["from_number"],
            body=text,
            media=media,
            account_sid=self.settings["account_sid"],
        )
        return self._post(data=form, headers={"X-Twilio-Signature": signature})

    def _email(self, *, text, photo, location, share_contact) -> httpx.Response:
        key = _secret(self.settings["webhook_signing_key"])
        timestamp, token = str(int(time.time())), secrets.token_hex(25)
        signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
        recipient = self.settings["address"]
        subject = text.splitlines()[0][:80] if text else "Laporan"
        headers = [
            ["From", self.sender],
            ["To", recipient],
            ["Subject", subject],
            ["Date", formatdate()],
            ["Message-Id", make_msgid(domain="contoh.id")],
        ]
        form = {
            "recipient": recipient,
            "sender": self.sender,
            "from": self.sender,
            "subject": subject,
            "body-plain": text,
            "message-headers": json.dumps(headers),
            "timestamp": timestamp,
            "token": token,
            "signature": signature.hexdigest(),
            "attachment-count": "1" if photo else "0",
        }
        files = {"attachment-1": ("foto.jpg", photo, "image/jpeg")} if photo else None
        return self._post(data=form, files=files)


def _as_text(sent: dict) -> str:
    """One sent message as the citizen would read it."""
    if sent.get("template"):
        template = sent["template"]
        name = template.get("name") if isinstance(template, dict) else template
        params = sent.get("params") or sent.get("template_params") or []
        return f"[template {name}] {' · '.join(map(str, params))}"
    text = sent.get("text") or sent.get("body") or ""
    if isinstance(text, dict):
        text = text.get("body", "")
    options = sent.get("options") or sent.get("buttons") or []
    lines = [str(text)]
    for n, option in enumerate(options, 1):
        title = option.get("title") or option.get("text") if isinstance(option, dict) else option
        if isinstance(option, dict) and option.get("description") and str(title).endswith("…"):
            title = option["description"]
        label = str(title)
        lines.append(f"  {label}" if label[:1].isdigit() else f"  {n}. {label}")
    if sent.get("request_contact"):
        lines.append("  [tombol: bagikan nomor]")
    if sent.get("request_location"):
        lines.append("  [tombol: bagikan lokasi]")
    return "\n".join(lines)
