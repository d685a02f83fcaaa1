"""Messaging jobs: each webhook queues ``process_inbound`` for its messages;
beat's ``process_inbound_all`` sweeps up any whose queueing was lost."""

from __future__ import annotations

from kanal.celery import app
from kanal.jobs import CityTask, fan_out
from messaging.inbound import process_pending
from notifications.delivery import deliver_due


@app.task(base=CityTask, name="messaging.process_inbound")
def process_inbound(ids: list[int] | None = None) -> int:
    done = process_pending(ids)
    if done:
        # The bot's answers are in the outbox now: send them at once rather
        # than at the next outbox beat (a chat should not wait 30 seconds).
        deliver_due(limit=100)
    return done


@app.task(name="messaging.process_inbound_all")
def process_inbound_all() -> int:
    return fan_out(process_inbound, expires=50)
