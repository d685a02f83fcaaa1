"""The Stripe webhook: signed events drive a city's subscription, once and in order."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta

from django.db import connection

from cityconfig.models import Category
from tenants.billing import suspend_overdue_cities
from tenants.models import (
    City,
    CityStatus,
    EventOutcome,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
)
from tenants.suspension import suspend_city
from tests.billing.conftest import (
    WEBHOOK_URL,
    event,
    invoice_object,
    sign,
    subscription_object,
)


def refreshed(sub: Subscription) -> Subscription:
    return Subscription.objects.select_related("city", "plan").get(pk=sub.pk)


def test_a_subscription_lives_through_signed_webhooks(subscribed, webhook, city_client):
    sub = subscribed
    assert sub.status == SubscriptionStatus.ACTIVE  # paid by card when created in localstripe
    now = int(time.time())

    created = webhook.send(
        event("customer.subscription.created", subscription_object(sub, "active"), created=now)
    )
    assert created["outcome"] == EventOutcome.APPLIED
    sub = refreshed(sub)
    assert sub.status == SubscriptionStatus.ACTIVE and sub.grace_until is None
    assert sub.current_period_end - sub.current_period_start == timedelta(days=30)

    failed = webhook.send(event("invoice.payment_failed", invoice_object(sub), created=now + 60))
    assert failed["outcome"] == EventOutcome.APPLIED
    sub = refreshed(sub)
    assert sub.status == SubscriptionStatus.PAST_DUE
    assert sub.grace_until == datetime.fromtimestamp(now + 60, UTC) + timedelta(days=14)
    assert sub.city.status == CityStatus.ACTIVE  # still in its grace period

    assert suspend_overdue_cities(now=sub.grace_until - timedelta(minutes=1)) == []
    assert suspend_overdue_cities(now=sub.grace_until + timedelta(minutes=1)) == ["kotacontoh"]
    city = City.objects.get(slug="kotacontoh")
    assert city.status == CityStatus.SUSPENDED
    assert city.suspended_for_billing and city.status_reason.startswith("billing:")
    site = city_client("kotacontoh").get("/")
    assert site.status_code == 503 and "Layanan ditangguhkan" in site.content.decode()
    connection.set_tenant(city)
    assert Category.objects.count() > 0  # suspension keeps the city's data
    connection.set_schema_to_public()
    assert suspend_overdue_cities(now=sub.grace_until + timedelta(days=1)) == []  # once

    paid = webhook.send(event("invoice.paid", invoice_object(sub, "paid"), created=now + 120))
    assert paid["outcome"] == EventOutcome.APPLIED
    sub = refreshed(sub)
    assert sub.status == SubscriptionStatus.ACTIVE and sub.grace_until is None
    assert sub.city.status == CityStatus.ACTIVE
    assert city_client("kotacontoh").get("/").status_code == 200
    assert list(StripeEvent.objects.values_list("outcome", flat=True)) == ["applied"] * 3


def test_a_replayed_event_is_acknowledged_and_not_applied_again(subscribed, webhook):
    now = int(time.time())
    past_due = event(
        "customer.subscription.updated", subscription_object(subscribed, "past_due"), created=now
    )
    first = webhook.send(past_due)
    assert first == {"received": True, "id": past_due["id"], "outcome": "applied", "replay": False}
    webhook.send(
        event(
            "customer.subscription.updated",
            subscription_object(subscribed, "active"),
            created=now + 10,
        )
    )

    replay = webhook.send(past_due)  # Stripe retries the first delivery
    assert replay["replay"] is True and replay["outcome"] == "applied"
    assert refreshed(subscribed).status == SubscriptionStatus.ACTIVE
    assert StripeEvent.objects.filter(event_id=past_due["id"]).count() == 1
    assert StripeEvent.objects.count() == 2


def test_an_older_event_arriving_late_never_overwrites_newer_state(subscribed, webhook):
    now = int(time.time())
    newer = event(
        "customer.subscription.updated", subscription_object(subscribed, "active"), created=now
    )
    older = event(
        "customer.subscription.updated",
        subscription_object(subscribed, "past_due"),
        created=now - 300,
    )
    assert webhook.send(newer)["outcome"] == EventOutcome.APPLIED
    assert webhook.send(older)["outcome"] == EventOutcome.STALE
    sub = refreshed(subscribed)
    assert sub.status == SubscriptionStatus.ACTIVE and sub.grace_until is None
    assert sub.last_event_created == datetime.fromtimestamp(now, UTC)
    assert StripeEvent.objects.get(event_id=older["id"]).outcome == EventOutcome.STALE
    late_failure = event("invoice.payment_failed", invoice_object(sub), created=now - 100)
    assert webhook.send(late_failure)["outcome"] == EventOutcome.STALE
    assert refreshed(subscribed).status == SubscriptionStatus.ACTIVE


def test_a_forged_or_unsigned_event_is_refused_and_not_stored(subscribed, webhook):
    body = json.dumps(
        event("customer.subscription.deleted", subscription_object(subscribed, "canceled"))
    )
    forged = webhook.post(body, signature=sign(body, secret="whsec_someone_else"))
    assert forged.status_code == 400
    assert forged.json()["error"]["code"] == "INVALID_SIGNATURE"
    tampered = webhook.post(body.replace("canceled", "active"), signature=sign(body))
    assert tampered.status_code == 400
    assert webhook.post(body, signature="").status_code == 400
    assert webhook.post(body, signature="t=garbage").status_code == 400
    too_old = webhook.post(body, signature=sign(body, timestamp=int(time.time()) - 3600))
    assert too_old.status_code == 400
    assert webhook.post("not json", signature=sign("not json")).status_code == 400
    assert StripeEvent.objects.count() == 0
    assert refreshed(subscribed).status == SubscriptionStatus.ACTIVE


def test_the_webhook_answers_only_post(webhook):
    assert webhook.client.get(WEBHOOK_URL).status_code == 405


def test_an_unknown_event_type_is_stored_and_acknowledged_as_ignored(webhook):
    result = webhook.send(event("customer.created", {"id": "cus_new", "object": "customer"}))
    assert result["outcome"] == EventOutcome.IGNORED
    stored = StripeEvent.objects.get()
    assert stored.type == "customer.created" and stored.outcome == EventOutcome.IGNORED
    assert stored.processed_at is not None and stored.payload["data"]["object"]["id"] == "cus_new"


def test_an_event_for_an_unknown_customer_is_stored_logged_and_acknowledged(webhook, caplog):
    obj = {"id": "sub_nobody", "object": "subscription", "customer": "cus_nobody"}
    obj["status"] = "active"
    with caplog.at_level(logging.WARNING, logger="tenants.billing_events"):
        result = webhook.send(event("customer.subscription.updated", obj))
    assert result["outcome"] == EventOutcome.UNKNOWN_CUSTOMER
    assert StripeEvent.objects.get().outcome == EventOutcome.UNKNOWN_CUSTOMER
    assert "unknown customer cus_nobody" in caplog.text
    assert Subscription.objects.count() == 0


def test_payment_does_not_lift_a_manual_suspension(subscribed, webhook, city_client):
    now = int(time.time())
    webhook.send(event("invoice.payment_failed", invoice_object(subscribed), created=now))
    city = City.objects.get(slug="kotacontoh")
    suspend_city(city, kind="manual", note="audit keamanan", actor="vendor")
    # The billing job finds it suspended already and leaves the manual reason alone.
    assert suspend_overdue_cities(now=refreshed(subscribed).grace_until + timedelta(days=1)) == []

    webhook.send(event("invoice.paid", invoice_object(subscribed, "paid"), created=now + 60))
    sub = refreshed(subscribed)
    assert sub.status == SubscriptionStatus.ACTIVE and sub.grace_until is None
    assert sub.city.status == CityStatus.SUSPENDED
    assert sub.city.status_reason == "manual: audit keamanan"
    assert city_client("kotacontoh").get("/").status_code == 503


def test_a_manual_suspension_takes_over_a_billing_one(subscribed, webhook):
    now = int(time.time())
    webhook.send(event("invoice.payment_failed", invoice_object(subscribed), created=now))
    suspend_overdue_cities(now=refreshed(subscribed).grace_until + timedelta(seconds=1))
    city = City.objects.get(slug="kotacontoh")
    assert city.suspended_for_billing
    assert suspend_city(city, kind="manual", note="sengketa kontrak", actor="vendor")
    webhook.send(event("invoice.paid", invoice_object(subscribed, "paid"), created=now + 60))
    assert City.objects.get(slug="kotacontoh").status == CityStatus.SUSPENDED


def test_a_cancelled_subscription_suspends_after_the_grace_period(subscribed, webhook):
    now = int(time.time())
    canceled = subscription_object(subscribed, "canceled")
    webhook.send(event("customer.subscription.deleted", canceled, created=now))
    sub = refreshed(subscribed)
    assert sub.status == SubscriptionStatus.CANCELED
    assert sub.grace_until == datetime.fromtimestamp(now, UTC) + timedelta(days=14)
    assert suspend_overdue_cities(now=sub.grace_until + timedelta(seconds=1)) == ["kotacontoh"]
    # Paying an old invoice does not revive a cancelled subscription.
    webhook.send(event("invoice.paid", invoice_object(sub, "paid"), created=now + 60))
    assert City.objects.get(slug="kotacontoh").status == CityStatus.SUSPENDED


def test_the_grace_period_follows_the_setting(subscribed, webhook, settings):
    settings.KANAL_BILLING_GRACE_DAYS = 3
    now = int(time.time())
    webhook.send(event("invoice.payment_failed", invoice_object(subscribed), created=now))
    first_grace = refreshed(subscribed).grace_until
    assert first_grace == datetime.fromtimestamp(now, UTC) + timedelta(days=3)
    # A second failed attempt does not extend the grace period.
    webhook.send(event("invoice.payment_failed", invoice_object(subscribed), created=now + 86400))
    assert refreshed(subscribed).grace_until == first_grace


def test_the_webhook_refuses_everything_without_a_secret(webhook, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = json.dumps(event("invoice.paid", {"id": "in_x", "customer": "cus_x"}))
    response = webhook.post(body, signature=sign(body, secret=""))
    assert response.status_code == 503
    assert StripeEvent.objects.count() == 0
