"""Live report events for command centers, published after commit.

Each city has its own channel-layer group named after its schema, so a
subscriber only ever hears its own city (ISOLATION.md #3). Publishing never
breaks the change that caused it: a channel-layer failure is logged.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from django.db import connection, transaction

logger = logging.getLogger(__name__)
EVENT_TYPE = "report.event"


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
    transaction.on_commit(lambda: send(schema, event))


def send(schema: str, event: dict) -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(schema), {"type": EVENT_TYPE, "event": event})
    except Exception:  # live view is best-effort; the change itself is committed
        logger.exception("could not publish report event for %s", schema)
