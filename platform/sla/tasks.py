"""SLA sweep jobs: every minute, one ``sla.sweep`` per active city (its schema)."""

from __future__ import annotations

import logging

from kanal.celery import app
from kanal.jobs import CityTask, fan_out
from sla.sweep import sweep_city

logger = logging.getLogger(__name__)


@app.task(base=CityTask, name="sla.sweep")
def sweep() -> dict:
    result = sweep_city()
    if result.reports:
        logger.info(
            "SLA sweep: %d at risk, %d breached, %d escalations",
            result.at_risk,
            result.breached,
            result.escalated,
        )
    return {"at_risk": result.at_risk, "breached": result.breached, "escalated": result.escalated}


@app.task(name="sla.sweep_all")
def sweep_all() -> int:
    # A sweep nobody ran within the minute is superseded by the next one.
    return fan_out(sweep, expires=55)
