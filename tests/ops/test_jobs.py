"""Background jobs: each scheduled job fans out to one task per active city,
which runs in that city's schema and nowhere else (ISOLATION.md #4). Tasks run
eagerly (tests/ops/conftest.py), except in the last test: a real worker
process, which reads what that test committed in two cities made for it."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from kanal.jobs import send_to_city
from kanal.logs import ContextFilter
from notifications import backends
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import notify
from notifications.tasks import deliver_outbox, deliver_outbox_all
from people.models import Citizen
from ranking.tasks import cache_key, latest_ranking, refresh_all
from reports import tasks as report_tasks
from reports.models import Report, Status
from sla.tasks import sweep_all
from tenants import tasks as tenant_tasks
from tenants.models import City, CityStatus
from tests.conftest import ROOT


def queue_message(world, slug: str) -> OutboxMessage:
    world(slug)
    citizen, _ = Citizen.objects.get_or_create(phone="+6281234500077")
    with transaction.atomic():
        return notify(f"ops.{slug}", citizen=citizen, city=slug)


def status_in(city_slug: str, pk: int) -> str:
    with schema_context(City.schema_for_slug(city_slug)):
        return OutboxMessage.objects.get(pk=pk).status


@pytest.mark.isolation
def test_fan_out_delivers_each_city_in_its_own_schema(world):
    messages = {slug: queue_message(world, slug) for slug in ("mataram", "pangkalpinang")}
    connection.set_schema_to_public()  # beat sends from the public schema

    queued = deliver_outbox_all.delay().get()

    active = City.objects.exclude(schema_name="public").filter(status=CityStatus.ACTIVE)
    assert queued == active.count() >= 5
    delivered = {d.kind: d.schema for d in backends.outbox if d.kind.startswith("ops.")}
    assert delivered == {"ops.mataram": "kota_mataram", "ops.pangkalpinang": "kota_pangkalpinang"}
    for slug, item in messages.items():
        assert status_in(slug, item.pk) == OutboxStatus.SENT
    assert connection.schema_name == "public"  # restored after the tasks


@pytest.mark.isolation
def test_a_task_sent_from_mataram_runs_in_mataram_only(world):
    pangkalpinang = queue_message(world, "pangkalpinang")
    mataram = queue_message(world, "mataram")  # Mataram's schema is now active
    deliver_outbox.delay()  # the schema travels with the message
    assert status_in("mataram", mataram.pk) == OutboxStatus.SENT
    assert status_in("pangkalpinang", pangkalpinang.pk) == OutboxStatus.PENDING
    assert [d.schema for d in backends.outbox] == ["kota_mataram"]


@pytest.mark.isolation
def test_a_city_task_sent_without_a_city_does_nothing(db, caplog):
    connection.set_schema_to_public()
    with caplog.at_level(logging.WARNING, logger="kanal.jobs"):
        assert deliver_outbox.delay().get() is None
    assert "sent without a city" in caplog.text
    assert backends.outbox == []


def test_a_task_for_a_deleted_city_warns_and_does_nothing(world, caplog):
    item = queue_message(world, "kotacontoh")
    connection.set_schema_to_public()
    City.objects.get(slug="kotacontoh").delete()  # the row goes; its schema stays
    with caplog.at_level(logging.WARNING, logger="kanal.jobs"):
        result = send_to_city(deliver_outbox, "kota_kotacontoh").get()
        assert send_to_city(deliver_outbox, "kota_never_was").get() is None
    assert result is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'kota_kotacontoh'" in w and "no such city" in w for w in warnings), warnings
    assert any("'kota_never_was'" in w for w in warnings), warnings
    assert status_in("kotacontoh", item.pk) == OutboxStatus.PENDING  # schema untouched
    assert backends.outbox == []
    assert connection.schema_name == "public"


def test_a_task_for_an_archived_city_warns_and_does_nothing(world, caplog):
    item = queue_message(world, "serang")
    connection.set_schema_to_public()
    City.objects.filter(slug="serang").update(status=CityStatus.ARCHIVED)
    with caplog.at_level(logging.WARNING, logger="kanal.jobs"):
        assert send_to_city(deliver_outbox, "kota_serang").get() is None
        queued = deliver_outbox_all.delay().get()  # not fanned out to either
    assert "archived" in caplog.text
    assert queued == City.objects.exclude(schema_name="public").filter(status="active").count()
    assert status_in("serang", item.pk) == OutboxStatus.PENDING


def test_suspended_cities_get_no_scheduled_jobs(world):
    item = queue_message(world, "jakarta")
    connection.set_schema_to_public()
    City.objects.filter(slug="jakarta").update(status=CityStatus.SUSPENDED)
    deliver_outbox_all.delay()
    assert status_in("jakarta", item.pk) == OutboxStatus.PENDING


def test_job_logs_carry_the_city_and_the_task_id(world, caplog, settings):
    settings.KANAL_NOTIFY_BACKEND = "notifications.backends.LoggingBackend"
    queue_message(world, "mataram")
    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.INFO):
        result = deliver_outbox.delay()
    sent = [r for r in caplog.records if r.getMessage().startswith("notification ops.mataram")]
    assert len(sent) == 1
    assert sent[0].city == "mataram"
    assert sent[0].request_id == result.id
    assert "+62" not in sent[0].getMessage()  # who, never the phone number


def test_sla_sweep_job_breaches_overdue_reports(world):
    city = world("kotacontoh")
    report = city.submit().report
    past = timezone.now() - timedelta(minutes=1)
    Report.objects.filter(pk=report.pk).update(
        response_at_risk_at=past - timedelta(hours=1), response_due_at=past, sla_next_check_at=past
    )
    connection.set_schema_to_public()
    sweep_all.delay()
    connection.set_tenant(city.city)
    report.refresh_from_db()
    assert report.sla_state == "breached"


def test_auto_close_job_closes_stale_resolved_reports(world):
    city = world("kotacontoh")
    report = city.submit().report
    Report.objects.filter(pk=report.pk).update(
        status=Status.RESOLVED, resolved_at=timezone.now() - timedelta(days=30)
    )
    connection.set_schema_to_public()
    report_tasks.auto_close_all.delay()
    connection.set_tenant(city.city)
    report.refresh_from_db()
    assert report.status == Status.CLOSED


@pytest.mark.isolation
def test_nightly_ranking_is_cached_per_city(world):
    for slug in ("mataram", "pangkalpinang"):
        world(slug)
        cache.delete(cache_key("weekly"))
        cache.delete(cache_key("monthly"))
    connection.set_schema_to_public()
    assert latest_ranking() is None  # public has none
    refresh_all.delay()
    assert latest_ranking() is None
    codes = {}
    for slug in ("mataram", "pangkalpinang"):
        world(slug)
        weekly, monthly = latest_ranking("weekly"), latest_ranking("monthly")
        assert weekly["kind"] == "weekly" and monthly["kind"] == "monthly"
        assert weekly["period_start"] < weekly["period_end"] < timezone.now().date().isoformat()
        codes[slug] = {row["opd_code"] for row in weekly["rows"]}
    assert codes["mataram"] and codes["pangkalpinang"]
    assert codes["mataram"] != codes["pangkalpinang"]  # each city its own cache entry


def test_billing_job_runs_in_the_public_schema(db):
    connection.set_schema_to_public()
    assert tenant_tasks.suspend_overdue_cities.delay().get() == []  # nobody is overdue


def test_beat_schedule_names_registered_tasks():
    from celery.schedules import crontab

    from kanal.celery import app

    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
    assert schedule["sla-sweep"]["schedule"] == crontab(minute="*")
    assert schedule["ranking"]["schedule"] == crontab(minute="0", hour="2")
    assert schedule["auto-close"]["schedule"] == crontab(minute="5")
    assert schedule["outbox"]["schedule"] == 30.0
    assert {"billing", "outbox"} <= set(schedule)


# --- a real worker --------------------------------------------------------------


def queue_committed(city, kind: str, count: int = 1) -> list[int]:
    connection.set_tenant(city)
    citizen, _ = Citizen.objects.get_or_create(phone="+6281234500055")
    with transaction.atomic():
        return [notify(kind, citizen=citizen).pk for _ in range(count)]


def status(city, pk: int) -> str:
    connection.set_tenant(city)
    return OutboxMessage.objects.get(pk=pk).status


def database_url() -> str:
    from tests.factories import test_database_url

    return test_database_url()


@pytest.fixture
def worker(tmp_path):
    """Start ``celery -A kanal worker`` on a queue of its own; stop it after."""
    queue = f"kanal-test-{uuid.uuid4().hex[:10]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kanal.settings",
        "DATABASE_URL": database_url(),  # the test database, committed data only
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "KANAL_NOTIFY_BACKEND": "notifications.backends.LoggingBackend",
        "LOG_FORMAT": "text",
        "KANAL_HEARTBEAT_DIR": str(tmp_path),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "kanal", "worker", "--pool=solo", "-c", "1",
        "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel=INFO",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        yield queue, process, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)


@pytest.mark.isolation
@pytest.mark.slow
def test_a_real_worker_delivers_city_a_in_its_schema_and_leaves_city_b_alone(
    committed_cities, worker, django_db_blocker
):
    from kanal.celery import app

    city_a, city_b = committed_cities("kotakerja", "kotalain")
    queue, process, log = worker
    with django_db_blocker.unblock():
        message_a = queue_committed(city_a, "ops.worker.a")[0]
        message_b = queue_committed(city_b, "ops.worker.b")[0]
        assert message_a == message_b  # same id in both schemas: only the schema tells them apart
        connection.set_schema_to_public()
        app.conf.task_always_eager = False
        send_to_city(app.tasks["notifications.deliver_outbox"], city_a.schema_name, queue=queue)

        deadline = time.monotonic() + 30
        while status(city_a, message_a) != OutboxStatus.SENT:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "not delivered in 30 s:\n" + log.read_text()
            time.sleep(0.25)
        assert status(city_b, message_b) == OutboxStatus.PENDING
        connection.set_tenant(city_b)
        assert OutboxMessage.objects.get(pk=message_b).attempts == 0
        connection.set_schema_to_public()
    delivered = [line for line in log.read_text().splitlines() if "ops.worker.a" in line]
    assert len(delivered) == 1 and "notification ops.worker.a to citizen" in delivered[0]
    assert "[kotakerja " in delivered[0]  # the worker's log line carries the city
    assert "ops.worker.b" not in log.read_text()


def probe(component: str, directory: Path, limit: int = 120) -> subprocess.CompletedProcess:
    """The chart's exec liveness probe, as the pod would run it."""
    return subprocess.run(
        [sys.executable, "-m", "kanal.heartbeat", component, str(limit)],
        cwd=ROOT, env={**os.environ, "KANAL_HEARTBEAT_DIR": str(directory)},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def wait_for(path: Path, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"no {path.name} in {seconds} s:\n" + log.read_text()
        time.sleep(0.25)


@pytest.mark.slow
def test_a_running_worker_passes_its_liveness_probe_and_a_stale_one_fails(worker, tmp_path):
    _queue, process, log = worker
    wait_for(tmp_path / "kanal-worker-alive", process, log)
    alive = probe("worker", tmp_path)
    assert alive.returncode == 0, alive.stderr
    stale = time.time() - 600
    os.utime(tmp_path / "kanal-worker-alive", (stale, stale))
    failed = probe("worker", tmp_path)
    assert failed.returncode == 1 and "limit 120 s" in failed.stderr


@pytest.mark.slow
def test_beat_passes_its_liveness_probe_and_a_missing_heartbeat_fails(tmp_path):
    log = tmp_path / "beat.log"
    assert probe("beat", tmp_path).returncode == 1  # never started: no heartbeat
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kanal.settings",
        "DATABASE_URL": database_url(),
        # A broker database of its own: the tasks beat sends are never consumed.
        "CELERY_BROKER_URL": settings.REDIS_URL.rsplit("/", 1)[0] + "/13",
        "KANAL_HEARTBEAT_DIR": str(tmp_path),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "kanal", "beat", "--loglevel=INFO",
        "--schedule", str(tmp_path / "celerybeat-schedule"),
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_for(tmp_path / "kanal-beat-alive", process, log)
        alive = probe("beat", tmp_path)
        assert alive.returncode == 0, alive.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
