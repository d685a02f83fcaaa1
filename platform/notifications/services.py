"""Writing outbox messages. Call inside the transaction of the change (inside a
``kanal.bulk.deferred_inserts`` block they are written together at its end)."""

from __future__ import annotations

from django.db import transaction

from kanal.bulk import insert
from notifications.models import OutboxMessage


def notify(
    kind: str,
    *,
    report=None,
    citizen=None,
    citizen_id=None,
    user=None,
    opd=None,
    conversation=None,
    **payload,
) -> OutboxMessage:
    """Queue a message; must run inside the transaction of the change it reports."""
    assert transaction.get_connection().in_atomic_block, "outbox writes belong to a transaction"
    if report is not None:
        payload.setdefault("tracking_code", report.tracking_code)
        payload.setdefault("status", report.status)
    return insert(
        OutboxMessage(
            kind=kind,
            report=report,
            citizen=citizen,
            citizen_id=citizen_id if citizen is None else citizen.pk,
            user=user,
            opd=opd,
            conversation=conversation,
            payload=payload,
        )
    )
