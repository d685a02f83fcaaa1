"""The Celery application ("kanal"): background jobs on Redis, tenant-aware.

``celery -A kanal worker`` / ``celery -A kanal beat`` load it. Configuration
comes from the Django settings with the ``CELERY_`` prefix (see the
"Background jobs" block of ``kanal/settings.py``); the broker is ``REDIS_URL``.

The app is tenant-schemas-celery's ``CeleryApp``: every task message carries the
schema it was sent from (header ``_schema_name``) and the worker switches to it
before running the task (ISOLATION.md #4). City jobs use
:class:`kanal.jobs.CityTask`, which refuses to run anywhere but in their city.
Beat schedules in settings may give a cron string (``"0 2 * * *"``, UTC) instead
of a ``crontab`` object, so that settings never import Celery.
"""

from __future__ import annotations

import os

from celery import bootsteps
from celery.beat import PersistentScheduler
from celery.schedules import crontab
from tenant_schemas_celery.app import CeleryApp

from kanal import heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanal.settings")

app = CeleryApp("kanal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Touches the worker's liveness file from the worker's own timer (kanal/heartbeat.py)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker) -> None:
        heartbeat.touch("worker")
        self.tref = worker.timer.call_repeatedly(
            heartbeat.WORKER_INTERVAL_SECONDS, heartbeat.touch, ("worker",), priority=10
        )

    def stop(self, worker) -> None:
        if self.tref is not None:
            self.tref.cancel()
        heartbeat.heartbeat_path("worker").unlink(missing_ok=True)


app.steps["worker"].add(WorkerHeartbeat)


class HeartbeatScheduler(PersistentScheduler):
    """Beat's scheduler (``CELERY_BEAT_SCHEDULER``): touches beat's liveness file
    on every tick; ticks come at least every ``beat_max_loop_interval``."""

    def tick(self, *args, **kwargs):
        heartbeat.touch("beat")
        return super().tick(*args, **kwargs)


def as_schedule(value):
    """A cron string ("minute hour day-of-month month day-of-week") becomes a
    ``crontab``; numbers, timedeltas and schedule objects pass through."""
    if isinstance(value, str):
        fields = value.split()
        if len(fields) != 5:
            raise ValueError(f"Cron schedule {value!r} needs 5 fields.")
        minute, hour, day_of_month, month_of_year, day_of_week = fields
        return crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
        )
    return value


@app.on_after_configure.connect
def _cron_strings(sender, **kwargs) -> None:
    sender.conf.beat_schedule = {
        name: {**entry, "schedule": as_schedule(entry["schedule"])}
        for name, entry in (sender.conf.beat_schedule or {}).items()
    }
