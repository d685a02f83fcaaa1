"""The demo data: what a first-time visitor of a freshly seeded city sees, and
that a second run adds nothing."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from onboarding.management.commands.seed_demo import CENTERS
from ranking.services import compute_ranking
from reports import figures
from reports.demo import seed_city
from reports.demo_history import volume_for
from reports.models import Report, Status, TimelineEntry
from reports.selectors import public_reports

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["mataram", "serang"])  # with and without area polygons
def test_seeding_a_fresh_city_twice(world, slug: str, capsys) -> None:
    world(slug)
    assert not Report.objects.exists()
    started = time.monotonic()
    codes = seed_city(slug, CENTERS[slug])
    took = time.monotonic() - started
    with capsys.disabled():
        print(f"\n  seed_city({slug}): {Report.objects.count()} reports in {took:.1f} s")
    reports = Report.objects.count()
    entries = TimelineEntry.objects.count()
    assert reports >= volume_for(slug)

    counts = figures.counts_by_status()
    busy = [s for s in counts if counts[s] > 0]
    for status in (Status.ASSIGNED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED,
                   Status.CLOSED, Status.REOPENED, Status.NEEDS_INFO, Status.TRIAGE,
                   Status.REJECTED):  # fmt: skip
        assert counts[status] > 0, (status, counts)
    assert len(busy) >= 9

    kecamatan = figures.reports_by_kecamatan()
    assert len(kecamatan) >= 3 and all(row["open"] > 0 for row in kecamatan)
    overdue = figures.overdue_by_opd()
    assert sum(row["overdue"] for row in overdue) > 0
    trend = figures.daily_trend(30)
    assert sum(1 for day in trend if day["received"]) >= 20

    today = timezone.localdate()
    ranking = compute_ranking(today - timedelta(days=6), today)
    assert [row for row in ranking.rows if row.received > 0]
    assert public_reports().count() > volume_for(slug) // 2

    # consistent with what the services write
    history = Report.objects.filter(idempotency_key__startswith=f"demo-{slug}-h")
    assigned = history.exclude(assigned_at=None)
    assert not assigned.filter(resolution_due_at=None).exists()
    assert not assigned.filter(opd=None).exists()
    assert not history.filter(photos=None).exists()
    assert not history.filter(rating__isnull=False, rating__lt=3, reopen_count=0).exists()
    for report in history.filter(status=Status.CLOSED)[:20]:
        steps = list(report.timeline.values_list("action", flat=True))
        assert steps[:3] == ["submitted", "verified", "assigned"], steps
        assert report.timeline.last().created_at <= timezone.now()

    again = seed_city(slug, CENTERS[slug])
    assert again == codes
    assert Report.objects.count() == reports
    assert TimelineEntry.objects.count() == entries


def test_jakarta_gets_more() -> None:
    assert volume_for("jakarta") > 2 * volume_for("mataram")
