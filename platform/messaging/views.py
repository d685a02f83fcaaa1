"""The providers' webhooks on each city's host.

The city comes from the host (CityMiddleware), its settings and secrets from
its own config, so a webhook signed with Mataram's secret is refused on
Serang's host. Order of refusals: channel not enabled here → 404, secret not
in this environment → 503 (the provider retries), bad signature → 401, nothing
stored; otherwise the messages are stored and 200 goes back at once.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from messaging.adapters import adapter_for
from messaging.adapters.base import MalformedWebhook, SignatureInvalid
from messaging.credentials import ChannelNotEnabled, SecretMissing
from messaging.inbound import receive, record_statuses

logger = logging.getLogger("messaging.webhook")

MAX_WEBHOOK_BYTES = 30 * 1024 * 1024  # e-mail with photos; chat webhooks are small


def _refusal(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
def webhook(request: HttpRequest, channel: str) -> HttpResponse:
    try:
        adapter = adapter_for(channel)
    except ChannelNotEnabled:
        logger.warning("webhook for channel %s, which this city has not enabled", channel)
        return _refusal(404, "CHANNEL_NOT_ENABLED", "channel not enabled for this city")
    except SecretMissing:
        return _refusal(503, "CHANNEL_SECRET_MISSING", "channel not connected, retry later")
    if request.method == "GET" and hasattr(adapter, "handshake"):
        try:
            return adapter.handshake(request)
        except SecretMissing:
            return _refusal(503, "CHANNEL_SECRET_MISSING", "channel not connected, retry later")
    if request.method != "POST":
        return _refusal(405, "METHOD_NOT_ALLOWED", "POST only")
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_WEBHOOK_BYTES:
        return _refusal(413, "TOO_LARGE", "webhook body too large")
    try:
        parsed = adapter.parse_webhook(request)
    except SecretMissing:
        return _refusal(503, "CHANNEL_SECRET_MISSING", "channel not connected, retry later")
    except SignatureInvalid as exc:
        logger.warning("%s webhook refused: %s", channel, exc)
        return _refusal(401, "SIGNATURE_INVALID", "signature missing or invalid")
    except MalformedWebhook as exc:
        logger.warning("%s webhook not readable: %s", channel, exc)
        # Signed but unreadable, or not for this city: retrying cannot help, and
        # some providers (Mailgun) retry anything but their own "reject" status.
        status = getattr(adapter, "malformed_status", 400)
        return _refusal(status, "MALFORMED_WEBHOOK", "webhook body not understood")
    receive(channel, parsed.incoming)
    record_statuses(parsed.statuses)
    acknowledge = getattr(adapter, "acknowledge", None)
    return (acknowledge(parsed) if acknowledge else None) or HttpResponse(status=200)
