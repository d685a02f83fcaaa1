"""kanal.bulk: rows collected in a job are written with one INSERT per table at
the end, and a failed piece of work leaves none of its rows behind."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kanal.bulk import deferred_inserts
from notifications.models import OutboxMessage
from notifications.services import notify


def test_collected_rows_are_written_together_and_a_failed_parts_rows_dropped(world):
    report = world("mataram").submit().report
    kinds = ["ops.bulk.first", "ops.bulk.dropped", "ops.bulk.second"]
    capture = CaptureQueriesContext(connection)
    with capture as queries, transaction.atomic(), deferred_inserts() as inserts:
        notify(kinds[0], report=report, opd=report.opd)
        with pytest.raises(RuntimeError), inserts.savepoint():
            notify(kinds[1], report=report, opd=report.opd)
            raise RuntimeError("this part failed")
        notify(kinds[2], report=report, opd=report.opd)
        assert not OutboxMessage.objects.filter(kind__in=kinds).exists()  # not yet
    written = OutboxMessage.objects.filter(kind__in=kinds).order_by("pk")
    assert [m.kind for m in written] == [kinds[0], kinds[2]]
    inserts_sql = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "notifications')]
    assert len(inserts_sql) == 1


def test_nothing_is_written_when_the_block_fails(world):
    report = world("mataram").submit().report
    with pytest.raises(ValueError), transaction.atomic(), deferred_inserts():
        notify("ops.bulk.lost", report=report, opd=report.opd)
        raise ValueError("the job failed")
    assert not OutboxMessage.objects.filter(kind="ops.bulk.lost").exists()


def test_outside_a_block_rows_are_written_at_once(world):
    report = world("mataram").submit().report
    with transaction.atomic():
        message = notify("ops.bulk.now", report=report, opd=report.opd)
        assert message.pk is not None
        assert OutboxMessage.objects.filter(pk=message.pk).exists()
