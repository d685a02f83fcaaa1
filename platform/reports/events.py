"""Live report events for command centers, published after commit.

Each city has its own channel-layer group named after its schema, so a
subscriber only ever hears its own city (ISOLATION.md #3). Publishing never
breaks the change that caused it: a channel-layer failure is logged.

Sending from sync code costs an event loop and a Redis connection per call
(``async_to_sync``); jobs that change many reports (the SLA sweep) wrap their
work in :func:`batched` so that their events go out together, in one loop.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from asgiref.sync import async_to_sync
from django.db import connection, transaction

from cityconfig.signals import public_data_changed

logger = logging.getLogger(__name__)
EVENT_TYPE = "report.event"
# Sent after a change to what anyone may see in ``schema`` committed: reports
# (once per batch of events) and city configs (onboarding).
_pending: ContextVar[list[tuple[str, dict]] | None] = ContextVar("kanal_events", default=None)


def group_name(schema: str) -> str:
    return f"kanal.{schema}.reports"


def publish(report, action: str) -> None:
    """Announce ``action`` on ``report`` to the city's live subscribers."""
    schema = connection.schema_name
    event = {
        "tracking_code": report.tracking_code,
        "action": action,
        "status": report.status,
        "category_code": report.category.code if report.category_id else "",
        "opd_code": report.opd.code if report.opd_id else None,
        "opd_name": report.opd.name if report.opd_id else None,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "at": report.updated_at.isoformat() if report.updated_at else None,
    }
    transaction.on_commit(lambda: _committed(schema, event))


@contextmanager
def batched() -> Iterator[None]:
    """Hold the events committed inside the block and send them all at its end
    (still only committed changes, still in order)."""
    pending: list[tuple[str, dict]] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        send_many(pending)


def _committed(schema: str, event: dict) -> None:
    pending = _pending.get()
    if pending is not None:
        pending.append((schema, event))
    else:
        send_many([(schema, event)])


def send_many(events: list[tuple[str, dict]]) -> None:
    from channels.layers import get_channel_layer

    for schema in dict.fromkeys(schema for schema, _ in events):
        # Receivers (the API's public query cache) must not break the change.
        for receiver, error in public_data_changed.send_robust(sender=None, schema=schema):
            if error is not None:
                logger.error("public_data_changed receiver %s failed: %r", receiver, error)
    layer = get_channel_layer()
    if layer is None or not events:
        return

    async def send_all() -> None:
        for schema, event in events:
            await layer.group_send(group_name(schema), {"type": EVENT_TYPE, "event": event})

    try:
        async_to_sync(send_all)()
    except Exception:  # live view is best-effort; the change itself is committed
        logger.exception("could not publish %d report event(s)", len(events))
