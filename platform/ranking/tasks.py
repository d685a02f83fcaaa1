"""Nightly job: each city's OPD ranking for the last complete week and month,
kept in the cache for the dashboard (nothing is published or stored in the
database: publishing stays a person's decision, ``ranking.services.publish_ranking``).

The cache key goes through ``django_tenants.cache.make_key``, so it is the
city's own (ISOLATION.md #2); :func:`latest_ranking` reads it back.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from cityconfig.models import CityProfile
from kanal.celery import app
from kanal.jobs import CityTask, fan_out
from ranking.services import compute_ranking, period_bounds

KINDS = ("weekly", "monthly")
CACHE_TIMEOUT = 3 * 24 * 3600  # a missed night or two still shows the last figures


def cache_key(kind: str) -> str:
    return f"ranking:latest:{kind}"


def latest_ranking(kind: str = "weekly") -> dict | None:
    """The last ranking the nightly job computed for the active city, or None."""
    return cache.get(cache_key(kind))


@app.task(base=CityTask, name="ranking.refresh")
def refresh_rankings() -> dict:
    now = timezone.now()
    tz = CityProfile.load().zone
    today = now.astimezone(tz).date()
    done = {}
    for kind in KINDS:
        start, end = period_bounds(kind, today)
        result = compute_ranking(start, end, now=now)
        cache.set(
            cache_key(kind),
            {
                "kind": kind,
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "computed_at": now.isoformat(),
                "weights": result.weights,
                "total_reports": result.total_reports,
                "rows": result.rows_json(),
            },
            CACHE_TIMEOUT,
        )
        done[kind] = len(result.rows)
    return done


@app.task(name="ranking.refresh_all")
def refresh_all() -> int:
    return fan_out(refresh_rankings)
