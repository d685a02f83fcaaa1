"""Stripe billing per city (public schema): plans, subscriptions, suspension.

Plain services; the webhook view (``tenants.views``) and the admin call them.

- ``create_customer_and_subscription(city, plan)``: the city's Stripe customer
  and subscription, mirrored in ``Subscription``.
- ``sync_plans()``: the plan catalogue kept in step with Stripe.
- ``handle_event(event)`` (``tenants.billing_events``): a verified webhook
  event, applied once and never over newer state.
- ``suspend_overdue_cities()``: the daily job (``manage.py
  suspend_overdue_cities``) suspends cities whose grace period has ended.

Stripe is reached with the official client, configured from the settings
``STRIPE_API_KEY`` and ``STRIPE_API_BASE`` (docs/billing.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanal.errors import Conflict, InvalidInput, Unavailable
from tenants.billing_events import (
    EventResult,
    apply_standing,
    handle_event,
    mirror_subscription,
)
from tenants.models import (
    GOOD_STANDING,
    SUSPENSION_BILLING,
    City,
    CityStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from tenants.suspension import suspend_city

__all__ = [
    "EventResult",
    "PlanSync",
    "create_customer_and_subscription",
    "handle_event",
    "stripe_client",
    "suspend_overdue_cities",
    "sync_plans",
]

logger = logging.getLogger(__name__)
ENDED = frozenset({SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED})


def stripe_client() -> stripe.StripeClient:
    """A Stripe client from the current settings. Raises Unavailable
    (BILLING_NOT_CONFIGURED) when no API key is set."""
    if not settings.STRIPE_API_KEY:
        raise Unavailable(
            code="BILLING_NOT_CONFIGURED",
            message=_("Penagihan belum dikonfigurasi (STRIPE_API_KEY kosong)."),
        )
    return stripe.StripeClient(
        settings.STRIPE_API_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,  # POST retries carry an idempotency key
    )


def _stripe_failed(exc: stripe.StripeError) -> Unavailable:
    logger.error("Stripe call failed: %s", exc)
    return Unavailable(
        code="STRIPE_ERROR",
        message=_("Stripe menolak atau tidak dapat dihubungi: %(reason)s"),
        params={"reason": exc.user_message or exc},
    )


def create_customer_and_subscription(
    city: City,
    plan: Plan,
    *,
    payment_method: str | None = None,
    trial_days: int | None = None,
) -> Subscription:
    """Create the city's Stripe customer (reused if it has one) and subscribe it
    to ``plan``; returns the mirrored ``Subscription``.

    ``payment_method`` (a Stripe PaymentMethod id) becomes the customer's default
    for invoices. Raises InvalidInput (public tenant, archived city, inactive
    plan), Conflict (SUBSCRIPTION_EXISTS: a live subscription already) or
    Unavailable (BILLING_NOT_CONFIGURED, STRIPE_ERROR). The customer is saved
    before the subscription is created, so its webhook events are never
    "unknown customer".
    """
    if city.is_public or city.status == CityStatus.ARCHIVED:
        raise InvalidInput(
            field="city",
            code="CITY_NOT_BILLABLE",
            message=_("%(city)s tidak dapat berlangganan."),
            params={"city": city},
        )
    if not plan.active:
        raise InvalidInput(
            field="plan",
            code="PLAN_INACTIVE",
            message=_("Paket %(code)s tidak aktif."),
            params={"code": plan.code},
        )
    client = stripe_client()
    existing = Subscription.objects.filter(city=city).first()
    if existing and existing.stripe_subscription_id and existing.status not in ENDED:
        raise Conflict(
            field="city",
            code="SUBSCRIPTION_EXISTS",
            message=_("%(city)s sudah berlangganan (%(status)s)."),
            params={"city": city.name, "status": existing.status},
        )
    try:
        if existing is None:
            params: dict[str, Any] = {
                "name": city.official_name or city.name,
                "metadata": {"kanal_city": city.slug},
            }
            if payment_method:
                params["payment_method"] = payment_method
                params["invoice_settings"] = {"default_payment_method": payment_method}
            customer = client.v1.customers.create(
                params=params, options={"idempotency_key": f"kanal-customer-{city.slug}"}
            )
            existing = Subscription.objects.create(
                city=city, plan=plan, stripe_customer_id=customer.id
            )
            logger.info("city %s: Stripe customer %s created", city.slug, customer.id)
        elif payment_method:
            client.v1.payment_methods.attach(
                payment_method, params={"customer": existing.stripe_customer_id}
            )
            client.v1.customers.update(
                existing.stripe_customer_id,
                params={"invoice_settings": {"default_payment_method": payment_method}},
            )
        params = {
            "customer": existing.stripe_customer_id,
            "items": [{"plan": plan.stripe_plan_id}],
            "metadata": {"kanal_city": city.slug, "kanal_plan": plan.code},
        }
        if trial_days:
            params["trial_period_days"] = trial_days
        remote = client.v1.subscriptions.create(params=params)
    except stripe.StripeError as exc:
        raise _stripe_failed(exc) from exc
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().select_related("city").get(pk=existing.pk)
        # A webhook may have been quicker than this response: keep its newer state.
        if sub.last_event_created is None or sub.stripe_subscription_id != remote.id:
            sub.plan = plan
            mirror_subscription(sub, remote.to_dict())
            apply_standing(sub, timezone.now(), "subscription created")
            sub.save()
    logger.info(
        "city %s subscribed to %s: %s (%s)",
        city.slug,
        plan.code,
        sub.stripe_subscription_id,
        sub.status,
    )
    return sub


@dataclass
class PlanSync:
    created_in_stripe: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def sync_plans() -> PlanSync:
    """Keep the plan catalogue and Stripe's plans in step.

    An active local plan missing in Stripe is created there (with its amount,
    currency and interval). Every Stripe plan is mirrored here: Stripe's amount,
    currency, interval and active flag win (a Stripe plan's price cannot change
    after creation), and a Stripe plan unknown here is imported with its
    nickname (or id) as code. Raises Unavailable on Stripe errors.
    """
    client = stripe_client()
    result = PlanSync()
    try:
        remote = {
            p.id: p.to_dict() for p in client.v1.plans.list({"limit": 100}).auto_paging_iter()
        }
        for plan in Plan.objects.filter(active=True).exclude(stripe_plan_id__in=list(remote)):
            created = client.v1.plans.create(
                params={
                    "id": plan.stripe_plan_id,
                    "amount": plan.amount,
                    "currency": plan.currency,
                    "interval": plan.interval,
                    "nickname": plan.code,
                    "product": {"name": plan.name},
                }
            )
            remote[created.id] = created.to_dict()
            result.created_in_stripe.append(plan.code)
    except stripe.StripeError as exc:
        raise _stripe_failed(exc) from exc
    local = {p.stripe_plan_id: p for p in Plan.objects.all()}
    with transaction.atomic():
        for plan_id, data in remote.items():
            values = {
                "amount": data.get("amount") or 0,
                "currency": data.get("currency") or "idr",
                "interval": data.get("interval") or "month",
                "active": bool(data.get("active", True)),
            }
            plan = local.get(plan_id)
            if plan is None:
                code = (data.get("nickname") or plan_id)[:40]
                Plan.objects.create(
                    code=code,
                    name=data.get("nickname") or plan_id,
                    stripe_plan_id=plan_id,
                    **values,
                )
                result.imported.append(code)
            elif any(getattr(plan, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(plan, key, value)
                plan.save()
                result.updated.append(plan.code)
    logger.info("plans synced: %s", result)
    return result


def suspend_overdue_cities(now: datetime | None = None) -> list[str]:
    """Suspend (for billing) every active city whose subscription is not in good
    standing and whose grace period ended before ``now``. Data is kept. Returns
    the slugs suspended. Called daily by ``manage.py suspend_overdue_cities``."""
    now = now or timezone.now()
    overdue = (
        Subscription.objects.filter(grace_until__lte=now, city__status=CityStatus.ACTIVE)
        .exclude(status__in=GOOD_STANDING)
        .select_related("city")
        .order_by("city__slug")
    )
    suspended = []
    for candidate in overdue:
        with transaction.atomic():
            # Locked and checked again: a payment may have arrived meanwhile
            # (the webhook locks the subscription first too).
            sub = Subscription.objects.select_for_update().get(pk=candidate.pk)
            if sub.in_good_standing or sub.grace_until is None or sub.grace_until > now:
                continue
            grace = sub.grace_until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            note = f"langganan {sub.status}, masa tenggang berakhir {grace}"
            if suspend_city(candidate.city, kind=SUSPENSION_BILLING, note=note, actor="billing"):
                suspended.append(candidate.city.slug)
    return suspended
