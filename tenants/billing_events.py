"""Applying Stripe webhook events to a city's subscription, once and in order.

``handle_event`` takes an event whose signature the webhook view has already
verified. Every event is stored (``StripeEvent``) in the same transaction that
applies it, keyed by its id: a replay finds the row and changes nothing. Events
are applied with the subscription row locked; one older (Stripe ``created``)
than the last event applied is stored as ``stale`` and not applied, so an
out-of-order delivery never overwrites newer state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.models import (
    GOOD_STANDING,
    EventOutcome,
    Plan,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
)
from tenants.suspension import resume_after_payment

logger = logging.getLogger(__name__)

ENDED = frozenset({SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED})
# An invoice paid for one of these means the subscription is active again
# (Stripe's own customer.subscription.updated follows and says the same).
REVIVED_BY_PAYMENT = frozenset(
    {SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID, SubscriptionStatus.INCOMPLETE}
)


@dataclass(frozen=True)
class EventResult:
    event_id: str
    type: str
    outcome: str
    replay: bool = False
    city: str | None = None


def _as_dict(event: Any) -> dict[str, Any]:
    if hasattr(event, "to_dict"):  # a stripe.Event (StripeObject is not a dict)
        return event.to_dict(for_json=True)
    if isinstance(event, Mapping):
        return dict(event)
    raise TypeError(f"not a Stripe event: {type(event).__name__}")


def _id(value: Any) -> str:
    """An id whether the field holds the id or the expanded object."""
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return str(value or "")


def _when(timestamp: Any) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), UTC) if timestamp else None


def _subscription_id(event_type: str, obj: Mapping) -> str:
    if event_type.startswith("customer.subscription."):
        return _id(obj.get("id"))
    # Invoices: ``subscription`` before API 2025-03-31, then under ``parent``.
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    return _id(obj.get("subscription")) or _id(details.get("subscription"))


def mirror_subscription(sub: Subscription, obj: Mapping) -> None:
    """Copy a Stripe subscription object's id, status, plan and period onto
    ``sub`` (not saved). Periods are read at the top level (older API versions)
    or from the first item (API 2025-03-31 and later)."""
    sub.stripe_subscription_id = _id(obj.get("id")) or sub.stripe_subscription_id
    if obj.get("status"):
        sub.status = obj["status"]
    items = (obj.get("items") or {}).get("data") or []
    first = items[0] if items else {}
    plan_id = _id(first.get("plan")) or _id(first.get("price")) or _id(obj.get("plan"))
    if plan_id and (sub.plan_id is None or sub.plan.stripe_plan_id != plan_id):
        plan = Plan.objects.filter(stripe_plan_id=plan_id).first()
        if plan is None:
            logger.warning("subscription %s: Stripe plan %s not in the catalogue", sub, plan_id)
        else:
            sub.plan = plan
    start = obj.get("current_period_start") or first.get("current_period_start")
    end = obj.get("current_period_end") or first.get("current_period_end")
    sub.current_period_start = _when(start) or sub.current_period_start
    sub.current_period_end = _when(end) or sub.current_period_end


def apply_standing(sub: Subscription, when: datetime, cause: str) -> None:
    """Good standing clears the grace period and lifts a billing suspension;
    anything else starts the grace period (once: repeated failures don't
    extend it)."""
    if sub.status in GOOD_STANDING:
        sub.grace_until = None
        resume_after_payment(
            sub.city, note=f"dipulihkan: langganan {sub.status} ({cause}, {when:%Y-%m-%d})"
        )
    elif sub.grace_until is None:
        sub.grace_until = when + timedelta(days=settings.KANAL_BILLING_GRACE_DAYS)


def _subscription_changed(sub: Subscription, obj: Mapping, when: datetime, cause: str) -> None:
    mirror_subscription(sub, obj)
    apply_standing(sub, when, cause)


def _subscription_deleted(sub: Subscription, obj: Mapping, when: datetime, cause: str) -> None:
    mirror_subscription(sub, obj)
    sub.status = SubscriptionStatus.CANCELED
    apply_standing(sub, when, cause)


def _invoice_paid(sub: Subscription, obj: Mapping, when: datetime, cause: str) -> None:
    if sub.status in REVIVED_BY_PAYMENT:
        sub.status = SubscriptionStatus.ACTIVE
    apply_standing(sub, when, cause)


def _invoice_payment_failed(sub: Subscription, obj: Mapping, when: datetime, cause: str) -> None:
    if sub.status in GOOD_STANDING:
        sub.status = SubscriptionStatus.PAST_DUE
    apply_standing(sub, when, cause)


Handler = Callable[[Subscription, Mapping, datetime, str], None]
HANDLERS: dict[str, Handler] = {
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_payment_failed,
}


def _find_subscription(sub_id: str, customer_id: str) -> Subscription | None:
    locked = Subscription.objects.select_for_update(of=("self",)).select_related("city", "plan")
    if sub_id:
        found = locked.filter(stripe_subscription_id=sub_id).first()
        if found is not None:
            return found
    if customer_id:
        return locked.filter(stripe_customer_id=customer_id).first()
    return None


def _apply(event_type: str, obj: Mapping, created: datetime) -> tuple[str, Subscription | None]:
    handler = HANDLERS.get(event_type)
    if handler is None:
        return EventOutcome.IGNORED, None
    sub_id = _subscription_id(event_type, obj)
    customer_id = _id(obj.get("customer"))
    sub = _find_subscription(sub_id, customer_id)
    if sub is None:
        return EventOutcome.UNKNOWN_CUSTOMER, None
    if event_type.startswith("invoice.") and not sub_id:
        return EventOutcome.IGNORED, sub  # a one-off invoice: not the subscription's
    if sub_id and sub.stripe_subscription_id and sub_id != sub.stripe_subscription_id:
        # The customer's other (older) subscription; a new one replaces an ended one.
        replaces = event_type == "customer.subscription.created" and sub.status in ENDED
        if not replaces:
            return EventOutcome.IGNORED, sub
        sub.last_event_created = None
    if sub.last_event_created is not None and created < sub.last_event_created:
        return EventOutcome.STALE, sub
    handler(sub, obj, created, event_type)
    sub.last_event_created = created
    sub.save()
    return EventOutcome.APPLIED, sub


def handle_event(event: Any) -> EventResult:
    """Apply one verified Stripe event (a ``stripe.Event`` or its JSON as a dict).

    Returns the outcome: ``applied``; ``stale`` (older than the state already
    applied); ``ignored`` (a type Kanal does not act on, or about another
    subscription); ``unknown_customer`` (logged). A replayed event id returns the
    stored outcome with ``replay=True`` and changes nothing. Every outcome is an
    acknowledgement (HTTP 200): Stripe retries only when this raises.
    """
    data = _as_dict(event)
    event_id, event_type = str(data["id"]), str(data["type"])
    created = _when(data["created"])
    obj = (data.get("data") or {}).get("object") or {}
    with transaction.atomic():
        try:
            with transaction.atomic():
                stored = StripeEvent.objects.create(
                    event_id=event_id,
                    type=event_type,
                    created=created,
                    outcome=EventOutcome.IGNORED,
                    payload=data,
                )
        except IntegrityError:
            # Already stored (a concurrent twin waited on the unique index above).
            first = StripeEvent.objects.select_related("subscription__city").get(event_id=event_id)
            logger.info("Stripe event %s (%s) replayed: not applied again", event_id, event_type)
            city = first.subscription.city.slug if first.subscription else None
            return EventResult(event_id, event_type, first.outcome, replay=True, city=city)
        outcome, sub = _apply(event_type, obj, created)
        stored.outcome = outcome
        stored.subscription = sub
        stored.processed_at = timezone.now()
        stored.save(update_fields=["outcome", "subscription", "processed_at"])
    city = sub.city.slug if sub else None
    if outcome == EventOutcome.UNKNOWN_CUSTOMER:
        logger.warning(
            "Stripe event %s (%s) for unknown customer %s: stored, not applied",
            event_id,
            event_type,
            _id(obj.get("customer")) or "-",
        )
    else:
        logger.info("Stripe event %s (%s) for %s: %s", event_id, event_type, city or "-", outcome)
    return EventResult(event_id, event_type, outcome, city=city)
