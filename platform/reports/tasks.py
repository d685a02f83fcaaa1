"""Hourly job: close each active city's resolved reports its citizens left unanswered."""

from __future__ import annotations

import logging

from kanal.celery import app
from kanal.jobs import CityTask, fan_out
from reports.actions import auto_close_resolved

logger = logging.getLogger(__name__)


@app.task(base=CityTask, name="reports.auto_close")
def auto_close() -> int:
    closed = auto_close_resolved()
    if closed:
        logger.info("auto-closed %d resolved reports", closed)
    return closed


@app.task(name="reports.auto_close_all")
def auto_close_all() -> int:
    return fan_out(auto_close, expires=3000)
