"""Prometheus metrics of our own (requests and latency come from django-prometheus).

- ``kanal_reports_submitted_total{city}``: reports created, counted when their
  transaction commits (:func:`count_report_submitted`, called by intake).
- ``kanal_job_queue_depth{queue}``: messages waiting in each Celery queue, read
  from Redis (``LLEN``) at scrape time.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

REPORTS_SUBMITTED = Counter(
    "kanal_reports_submitted", "Reports submitted (committed), per city.", ["city"]
)
# kombu's Redis transport keeps priorities 3, 6 and 9 of a queue in lists of their own.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = ("3", "6", "9")


def current_city_slug() -> str:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "slug", None) or connection.schema_name


def count_report_submitted() -> None:
    """Count one report for the active city once the transaction commits."""
    city = current_city_slug()
    transaction.on_commit(lambda: REPORTS_SUBMITTED.labels(city=city).inc())


def queue_keys(queue: str) -> list[str]:
    return [queue, *(f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS)]


class QueueDepthCollector:
    """Reads the queues' lengths from the broker on every scrape."""

    def _family(self) -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "kanal_job_queue_depth", "Jobs waiting in each Celery queue.", labels=["queue"]
        )

    def describe(self):
        yield self._family()  # names only: registering must not touch Redis

    def collect(self):
        import redis

        gauge = self._family()
        try:
            client = redis.Redis.from_url(
                settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
            )
            with client.pipeline(transaction=False) as pipe:
                queues = list(settings.KANAL_JOB_QUEUES)
                for queue in queues:
                    for key in queue_keys(queue):
                        pipe.llen(key)
                lengths = pipe.execute()
            per_queue = len(PRIORITY_STEPS) + 1
            for index, queue in enumerate(queues):
                gauge.add_metric([queue], sum(lengths[index * per_queue : (index + 1) * per_queue]))
        except Exception as exc:  # a scrape must not fail because Redis is down
            logger.warning("job queue depth unavailable: %s", exc)
        yield gauge


QUEUE_DEPTH = QueueDepthCollector()
REGISTRY.register(QUEUE_DEPTH)
