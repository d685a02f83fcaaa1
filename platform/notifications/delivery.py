"""Delivering the outbox of the active city (its schema must be set).

Due messages (pending, or failed with ``next_attempt_at`` passed) go one by one
through the channel backend, each in its own short transaction holding a row
lock taken with ``SKIP LOCKED``: two deliveries running at once never send the
same message, and a sent message is never picked again (idempotent). A failure
counts an attempt and waits ``base · 2^(attempts-1)`` seconds (capped) before the
next; after ``KANAL_NOTIFY_MAX_ATTEMPTS`` attempts, or on a permanent failure,
the message is ``dead`` with its last error, for an operator to look at.

Delivery is at least once: a worker killed between the gateway's answer and
the commit sends that message again on the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.backends import NotificationBackend, PermanentFailure, get_backend
from notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger("notifications.delivery")
DUE_STATUSES = [OutboxStatus.PENDING, OutboxStatus.FAILED]


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt after ``attempts`` failed ones (≥ 1)."""
    base = settings.KANAL_NOTIFY_RETRY_BASE_SECONDS
    cap = settings.KANAL_NOTIFY_RETRY_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def due(now: datetime):
    return OutboxMessage.objects.filter(status__in=DUE_STATUSES).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def deliver_due(
    *, now: datetime | None = None, limit: int = 500, backend: NotificationBackend | None = None
) -> DeliveryResult:
    now = now or timezone.now()
    backend = backend or get_backend()
    max_attempts = settings.KANAL_NOTIFY_MAX_ATTEMPTS
    result = DeliveryResult()
    ids = list(due(now).order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        with transaction.atomic():
            message = due(now).select_for_update(skip_locked=True).filter(pk=pk).first()
            if message is None:
                continue  # another delivery holds it, or it was sent meanwhile
            try:
                backend.send(message)
            except Exception as exc:
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if isinstance(exc, PermanentFailure) or message.attempts >= max_attempts:
                    message.status = OutboxStatus.DEAD
                    message.next_attempt_at = None
                    result.dead += 1
                    logger.warning(
                        "notification %s (%s) is dead after %d attempts: %s",
                        message.pk,
                        message.kind,
                        message.attempts,
                        message.last_error,
                    )
                else:
                    message.status = OutboxStatus.FAILED
                    message.next_attempt_at = now + retry_delay(message.attempts)
                    result.failed += 1
            else:
                message.attempts += 1
                message.status = OutboxStatus.SENT
                message.sent_at = timezone.now()
                message.next_attempt_at = None
                result.sent += 1
            message.save(
                update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"]
            )
    return result
