"""The Stripe webhook on the vendor's public site: ``POST /billing/stripe/webhook/``.

Only events whose ``Stripe-Signature`` verifies with ``STRIPE_WEBHOOK_SECRET``
are stored and applied; anything else is answered 400 and leaves no trace.
Every verified event is acknowledged with 200 (also unknown types and unknown
customers) so Stripe does not retry it forever; an unexpected error answers
500 and Stripe retries (nothing was stored: one transaction).
"""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tenants.billing import handle_event

logger = logging.getLogger(__name__)


@csrf_exempt  # authenticated by Stripe's signature, never by a cookie
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        logger.error("Stripe webhook called but STRIPE_WEBHOOK_SECRET is empty")
        return JsonResponse(
            {"error": {"code": "BILLING_NOT_CONFIGURED", "message": "Webhook not configured."}},
            status=503,
        )
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature", ""), secret
        )
    except (ValueError, stripe.SignatureVerificationError) as exc:
        logger.warning("Stripe webhook refused (%s): %s", type(exc).__name__, exc)
        return JsonResponse(
            {"error": {"code": "INVALID_SIGNATURE", "message": "Invalid payload or signature."}},
            status=400,
        )
    result = handle_event(event)
    return JsonResponse(
        {
            "received": True,
            "id": result.event_id,
            "outcome": result.outcome,
            "replay": result.replay,
        }
    )
