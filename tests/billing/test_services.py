"""Billing services against a fake Stripe (localstripe) through the real client."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command

from kanal.errors import Conflict, InvalidInput, Unavailable
from tenants.billing import create_customer_and_subscription, stripe_client, sync_plans
from tenants.models import City, Plan, Subscription, SubscriptionStatus
from tests.billing.conftest import test_card
from tests.test_settings import load_settings


def test_a_city_gets_a_stripe_customer_and_subscription(plan, cities):
    sub = create_customer_and_subscription(cities["kotacontoh"], plan, payment_method=test_card())
    assert sub.stripe_customer_id.startswith("cus_")
    assert sub.stripe_subscription_id.startswith("sub_")
    assert sub.status == SubscriptionStatus.ACTIVE and sub.plan == plan
    assert sub.current_period_start < sub.current_period_end
    client = stripe_client()
    customer = client.v1.customers.retrieve(sub.stripe_customer_id)
    assert customer.metadata.to_dict() == {"kanal_city": "kotacontoh"}
    remote = client.v1.subscriptions.retrieve(sub.stripe_subscription_id).to_dict()
    assert remote["items"]["data"][0]["plan"]["id"] == "kanal-kota-bulanan"


def test_a_city_subscribes_only_once(subscribed, plan):
    with pytest.raises(Conflict) as refused:
        create_customer_and_subscription(subscribed.city, plan)
    assert refused.value.code == "SUBSCRIPTION_EXISTS"


def test_a_stripe_refusal_is_a_clear_error_and_the_customer_is_kept(plan, cities):
    # localstripe refuses to invoice a customer without a payment method.
    with pytest.raises(Unavailable) as failed:
        create_customer_and_subscription(cities["mataram"], plan)
    assert failed.value.code == "STRIPE_ERROR"
    # The customer is kept, so Stripe's events for it are never "unknown customer".
    sub = Subscription.objects.get(city__slug="mataram")
    assert sub.stripe_customer_id.startswith("cus_") and sub.stripe_subscription_id == ""


def test_the_vendor_site_and_inactive_plans_cannot_subscribe(plan, cities):
    public = City.objects.get(schema_name="public")
    with pytest.raises(InvalidInput):
        create_customer_and_subscription(public, plan)
    plan.active = False
    with pytest.raises(InvalidInput) as refused:
        create_customer_and_subscription(cities["serang"], plan)
    assert refused.value.code == "PLAN_INACTIVE"


def test_billing_without_an_api_key_is_refused_clearly(settings, cities, db):
    settings.STRIPE_API_KEY = ""
    plan = Plan(code="x", name="x", stripe_plan_id="x", amount=1)
    with pytest.raises(Unavailable) as refused:
        create_customer_and_subscription(cities["serang"], plan)
    assert refused.value.code == "BILLING_NOT_CONFIGURED"


def test_sync_plans_creates_missing_plans_in_stripe_and_imports_stripes_own(stripe_api, db):
    suffix = uuid.uuid4().hex[:8]
    local = Plan.objects.create(
        code=f"tahunan-{suffix}",
        name="Kanal Kota (tahunan)",
        stripe_plan_id=f"kanal-tahunan-{suffix}",
        amount=15_000_000_000,
        interval="year",
    )
    client = stripe_client()
    client.v1.plans.create(
        params={
            "id": f"kanal-provinsi-{suffix}",
            "amount": 3_000_000_000,
            "currency": "idr",
            "interval": "month",
            "nickname": f"provinsi-{suffix}",
            "product": {"name": "Kanal Provinsi"},
        }
    )

    result = sync_plans()
    assert local.code in result.created_in_stripe
    assert f"provinsi-{suffix}" in result.imported
    remote = client.v1.plans.retrieve(local.stripe_plan_id)
    assert (remote.amount, remote.currency, remote.interval) == (15_000_000_000, "idr", "year")
    imported = Plan.objects.get(stripe_plan_id=f"kanal-provinsi-{suffix}")
    assert (imported.amount, imported.interval, imported.active) == (3_000_000_000, "month", True)

    # Stripe's price wins over a local edit (a Stripe plan's amount never changes).
    Plan.objects.filter(pk=local.pk).update(amount=1)
    again = sync_plans()
    assert again.created_in_stripe == [] and again.imported == []
    assert again.updated == [local.code]
    local.refresh_from_db()
    assert local.amount == 15_000_000_000


def test_the_daily_command_suspends_overdue_cities(db, cities):
    from io import StringIO

    out = StringIO()
    call_command("suspend_overdue_cities", stdout=out)
    assert "No city to suspend" in out.getvalue()


def test_production_refuses_an_api_key_without_a_webhook_secret():
    result = load_settings(STRIPE_API_KEY="sk_live_x", STRIPE_WEBHOOK_SECRET=None)
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr
    assert (
        load_settings(STRIPE_API_KEY="sk_live_x", STRIPE_WEBHOOK_SECRET="whsec_x").returncode == 0
    )
