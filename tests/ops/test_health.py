"""Probes, readiness (for real: an unreachable database port, an unreachable
Redis), Prometheus metrics, request ids and structured logs."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import uuid

import pytest
import redis
from django.db import connection
from django.test import Client
from prometheus_client import REGISTRY

from kanal.health import check_readiness, clear_readiness_cache
from kanal.logs import ContextFilter, log_context
from tests.conftest import ROOT

POD_IP = "10.42.0.17"  # not in ALLOWED_HOSTS, no city: what a kubelet sends
BAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _fresh_readiness():
    clear_readiness_cache()
    yield
    clear_readiness_cache()


@pytest.mark.parametrize(
    "host", [POD_IP, "localhost", "kota-tidak-ada.localhost", "mataram.localhost"]
)
def test_healthz_answers_on_any_host(db, host):
    response = Client(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_unknown_hosts_still_get_404_elsewhere(db):
    assert Client(HTTP_HOST=POD_IP).get("/").status_code == 404
    assert Client(HTTP_HOST="kota-tidak-ada.localhost").get("/").status_code == 404


def test_readyz_is_ready_on_the_pod_ip(db):
    response = Client(HTTP_HOST=POD_IP).get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ready",
        "failed": [],
        "checks": {"database": "ok", "migrations": "ok", "redis": "ok"},
    }


def test_readiness_fails_when_the_database_is_unreachable(db):
    # A real connection attempt to a port where no PostgreSQL listens.
    result = check_readiness(database={"PORT": "1", "OPTIONS": {"connect_timeout": 2}})
    assert not result.ok
    assert result.failed == ["database", "migrations"]
    assert result.checks["database"] == "error: OperationalError"
    assert result.checks["migrations"] == "not checked: no database"
    assert result.checks["redis"] == "ok"
    assert check_readiness().ok  # the real database was never touched


def test_readyz_is_503_naming_redis_when_redis_is_down(db, settings):
    settings.REDIS_URL = BAD_REDIS
    settings.CELERY_BROKER_URL = BAD_REDIS
    response = Client(HTTP_HOST=POD_IP).get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["redis"]
    assert body["checks"]["redis"].startswith("error: ")
    assert body["checks"]["database"] == "ok"


def test_readiness_names_an_unapplied_public_migration(db):
    connection.set_schema_to_public()
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute(
            "DELETE FROM public.django_migrations WHERE app = 'sessions' AND name = '0001_initial'"
        )
    result = check_readiness()
    assert result.failed == ["migrations"]
    assert result.checks["migrations"] == "unapplied: sessions.0001_initial"


def test_readiness_is_cached_for_ten_seconds(db):
    from kanal.health import cached_readiness

    first = cached_readiness()
    assert cached_readiness() is first


def scrape(**headers) -> tuple[int, str]:
    response = Client(HTTP_HOST=POD_IP).get("/metrics", **headers)
    return response.status_code, response.content.decode()


def test_metrics_need_the_bearer_token_when_one_is_set(db, settings):
    settings.METRICS_TOKEN = "rahasia-metrik-123"
    assert scrape()[0] == 401
    assert scrape(HTTP_AUTHORIZATION="Bearer salah")[0] == 401
    status, text = scrape(HTTP_AUTHORIZATION="Bearer rahasia-metrik-123")
    assert status == 200
    assert "kanal_job_queue_depth" in text


def test_metrics_count_requests_and_their_latency(db):
    Client(HTTP_HOST="mataram.localhost").get("/healthz-bukan")
    status, text = scrape()
    assert status == 200
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text


def test_queue_depth_is_read_from_redis(db, settings):
    from kanal.celery import app
    from notifications.tasks import deliver_outbox_all

    queue = f"kanal-test-depth-{uuid.uuid4().hex[:8]}"
    settings.KANAL_JOB_QUEUES = [queue]
    app.conf.task_always_eager = False
    try:
        for _ in range(3):
            deliver_outbox_all.apply_async(queue=queue)
        text = scrape()[1]
        assert f'kanal_job_queue_depth{{queue="{queue}"}} 3.0' in text
    finally:
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)


def test_queue_depth_is_absent_not_an_error_when_redis_is_down(db, settings):
    settings.CELERY_BROKER_URL = BAD_REDIS
    status, text = scrape()
    assert status == 200
    assert "# TYPE kanal_job_queue_depth gauge" in text
    assert "kanal_job_queue_depth{" not in text


def test_reports_submitted_are_counted_per_city_after_commit(
    world, django_capture_on_commit_callbacks
):
    def count(slug: str) -> float:
        return REGISTRY.get_sample_value("kanal_reports_submitted_total", {"city": slug}) or 0.0

    before = count("mataram"), count("pangkalpinang")
    city = world("mataram")
    with django_capture_on_commit_callbacks(execute=True):
        city.submit()
    with django_capture_on_commit_callbacks(execute=False):  # never committed
        city.submit()
    assert (count("mataram"), count("pangkalpinang")) == (before[0] + 1, before[1])


def test_request_id_is_honoured_and_echoed(db, caplog):
    client = Client(HTTP_HOST="mataram.localhost")
    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/tidak-ada/", HTTP_X_REQUEST_ID="req-abc-123")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-abc-123"
    record = next(r for r in caplog.records if r.name == "django.request")
    assert (record.city, record.request_id) == ("mataram", "req-abc-123")


def test_a_malformed_request_id_is_replaced(db):
    client = Client(HTTP_HOST="mataram.localhost")
    forged = client.get("/", HTTP_X_REQUEST_ID="x\nINFO forged line")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)
    fresh = client.get("/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh) and fresh != forged


def test_log_filter_fills_city_and_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "halo", None, None)
    ContextFilter().filter(record)
    assert (record.city, record.request_id) == ("-", "-")
    with log_context(city="serang", request_id="job-1"):
        inside = logging.LogRecord("x", logging.INFO, __file__, 1, "halo", None, None)
        ContextFilter().filter(inside)
    assert (inside.city, inside.request_id) == ("serang", "job-1")


def test_json_logs_in_a_real_process():
    code = (
        "import logging, django; django.setup();"
        "from kanal.logs import log_context;"
        "log = logging.getLogger('kanal.test');"
        "log.warning('tanpa kota');"
        "ctx = log_context(city='mataram', request_id='r-1'); ctx.__enter__();"
        "log.warning('laporan %s diterima', 'MTR-1')"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "kanal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if "kanal.test" in line]
    assert [(e["message"], e["city"], e["request_id"], e["level"]) for e in lines] == [
        ("tanpa kota", "-", "-", "WARNING"),
        ("laporan MTR-1 diterima", "mataram", "r-1", "WARNING"),
    ]
    assert {"time", "logger"} <= set(lines[0])


def test_importing_kanal_or_starting_django_does_not_import_celery():
    code = (
        "import sys, kanal, django; django.setup();"
        "assert 'celery' not in sys.modules, 'celery imported';"
        "from kanal import celery_app; assert celery_app.main == 'kanal'"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kanal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
