"""Outbox delivery jobs: beat → ``deliver_outbox_all`` (public) → one
``deliver_outbox`` per active city, in the city's schema."""

from __future__ import annotations

import logging
from dataclasses import asdict

from kanal.celery import app
from kanal.jobs import CityTask, fan_out
from notifications.delivery import deliver_due

logger = logging.getLogger(__name__)


@app.task(base=CityTask, name="notifications.deliver_outbox")
def deliver_outbox(limit: int = 500) -> dict:
    result = deliver_due(limit=limit)
    if result.sent or result.failed or result.dead:
        logger.info("outbox: %d sent, %d failed, %d dead", result.sent, result.failed, result.dead)
    return asdict(result)


@app.task(name="notifications.deliver_outbox_all")
def deliver_outbox_all() -> int:
    return fan_out(deliver_outbox, expires=120)
