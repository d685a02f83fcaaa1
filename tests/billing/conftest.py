"""Billing fixtures: a real fake Stripe (localstripe) and signed webhooks.

Outgoing calls use the real ``stripe`` client against localstripe, started once
per session on a free localhost port (tests that need it are skipped, with the
reason, only if it cannot start). Webhooks are built as Stripe builds them: the
event JSON signed ``t=<ts>,v1=<HMAC-SHA256("<ts>.<body>")>`` with the endpoint
secret, and POSTed to the public site.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from tenants.billing import create_customer_and_subscription, stripe_client, sync_plans
from tenants.models import Plan, Subscription

WEBHOOK_URL = "/billing/stripe/webhook/"
WEBHOOK_SECRET = "whsec_kanal_test_secret"
API_KEY = "sk_test_kanal"
SERVER = Path(__file__).resolve().parent / "localstripe_server.py"
_event_ids = itertools.count(1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """The base URL of a localstripe process, stopped at the end of the session."""
    try:
        import localstripe as _  # noqa: F401
    except ImportError:
        pytest.skip("localstripe is not installed (pip install localstripe)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, str(SERVER), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                request = urllib.request.Request(
                    f"{base}/v1/plans", headers={"Authorization": f"Bearer {API_KEY}"}
                )
                with urllib.request.urlopen(request, timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    error = process.stderr.read().decode(errors="replace")[-500:]
                    pytest.skip(f"localstripe could not start on port {port}: {error}")
                time.sleep(0.1)
        yield base
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stderr.close()


@pytest.fixture
def billing_settings(settings) -> None:
    """Billing configured, no Stripe API (webhook-only tests)."""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: no call may go out
    settings.KANAL_BILLING_GRACE_DAYS = 14


@pytest.fixture
def stripe_api(billing_settings, settings, localstripe) -> str:
    """Billing configured against localstripe."""
    settings.STRIPE_API_BASE = localstripe
    return localstripe


@pytest.fixture
def plan(stripe_api, db) -> Plan:
    plan = Plan.objects.create(
        code="kota-bulanan",
        name="Kanal Kota (bulanan)",
        stripe_plan_id="kanal-kota-bulanan",
        amount=1_500_000_000,  # Rp 15.000.000,00 in sen
        currency="idr",
        interval="month",
    )
    sync_plans()  # creates it in localstripe (or finds it from an earlier test)
    return plan


def test_card() -> str:
    """A PaymentMethod in localstripe that pays (Stripe's 4242 test card)."""
    method = stripe_client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"},
        }
    )
    return method.id


test_card.__test__ = False  # a helper, not a test


@pytest.fixture
def subscribed(plan, cities) -> Subscription:
    """Kota Contoh subscribed to the plan in localstripe (paid by card: active)."""
    return create_customer_and_subscription(cities["kotacontoh"], plan, payment_method=test_card())


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends for ``payload``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_type: str, obj: dict, *, created: int | None = None, event_id: str | None = None):
    return {
        "id": event_id or f"evt_test_{next(_event_ids):06d}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()) if created is None else created,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def subscription_object(sub: Subscription, status: str, *, period_start: int | None = None):
    start = period_start or int(time.time())
    return {
        "id": sub.stripe_subscription_id,
        "object": "subscription",
        "customer": sub.stripe_customer_id,
        "status": status,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_test",
                    "object": "subscription_item",
                    "current_period_start": start,
                    "current_period_end": start + 30 * 86400,
                    "plan": {"id": sub.plan.stripe_plan_id, "object": "plan"},
                }
            ],
        },
        "metadata": {"kanal_city": sub.city.slug},
    }


def invoice_object(sub: Subscription, status: str = "open") -> dict:
    """An invoice as API 2025-03-31+ shapes it (subscription under ``parent``)."""
    return {
        "id": f"in_test_{next(_event_ids):06d}",
        "object": "invoice",
        "customer": sub.stripe_customer_id,
        "status": status,
        "amount_due": sub.plan.amount,
        "currency": "idr",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub.stripe_subscription_id},
        },
    }


class Webhook:
    """POSTs signed events to the public site's webhook, as Stripe does."""

    def __init__(self):
        self.client = Client(HTTP_HOST="localhost")

    def post(self, body: dict | str, *, signature: str | None = None):
        payload = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            WEBHOOK_URL,
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(payload) if signature is None else signature,
        )

    def send(self, body: dict) -> dict:
        response = self.post(body)
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def webhook(billing_settings, db) -> Webhook:
    return Webhook()
