"""Issue 12 item 14: a PostgreSQL or Redis outage under load.

A private PostgreSQL (pgserver, the embedded server of the README's commands)
and a private Redis are started for this test, a real server (``python -m
kanal.serve``) runs on them, and submissions are sent while each is stopped
and started again. What a client must see: its report, or 503 with
Retry-After and ``SERVICE_UNAVAILABLE`` in GraphQL JSON; never a 500 page.
What must hold afterwards: nothing half-written, and Kanal serving again by
itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import _free_port
from tests.conftest import CONFIG_DIR, ROOT
from tests.hardening.conftest import LiveServer

pytestmark = pytest.mark.slow

SUBMIT = (
    "mutation($input: SubmitReportInput!){ submitReport(input:$input)"
    "{ created report { trackingCode } errors { code } } }"
)


def _start_redis(port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"],
        stdout=log.open("a"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait(check, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    import pgserver
    import redis

    base = tmp_path_factory.mktemp("outage")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(base))
    pg = pgserver.get_server(base / "pgdata", cleanup_mode="delete")
    pg.psql("CREATE DATABASE kanal;")
    database_url = f"postgresql://postgres@/kanal?host={pg.pgdata}"
    redis_port = _free_port()
    redis_log = base / "redis.log"
    redis_process = _start_redis(redis_port, redis_log)
    _wait(lambda: redis.Redis(port=redis_port).ping())
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "KANAL_ENV": "test",
        "DEBUG": "true",  # a 500 would show Django's debug page
        "RATELIMIT_ENABLE": "false",  # this test measures outages, not limits
        "DB_CONN_MAX_AGE": "60",
    }
    env.pop("KANAL_TRUSTED_PROXIES", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate_schemas", "--shared", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [*manage, "onboard", str(CONFIG_DIR / "mataram.yaml"), "--apply", "--actor", "outage"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    log = ROOT / "test-artifacts" / "outage-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "kanal.serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    live = LiveServer(port, base / "otp.txt")
    _wait(lambda: live.request("GET", "/healthz", slug="mataram").status == 200)
    state = {"redis": redis_process}

    def stop_postgres():
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pg.pgdata, user=pg.system_user)

    def start_postgres():
        pg.ensure_postgres_running()

    def stop_redis():
        state["redis"].terminate()
        state["redis"].wait(10)

    def start_redis():
        state["redis"] = _start_redis(redis_port, redis_log)
        _wait(lambda: redis.Redis(port=redis_port).ping())

    yield {
        "live": live,
        "env": env,
        "stop_postgres": stop_postgres,
        "start_postgres": start_postgres,
        "stop_redis": stop_redis,
        "start_redis": start_redis,
    }
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
    state["redis"].terminate()
    pg.cleanup()


class Load:
    """Submissions from 3 threads until stopped; every answer is kept."""

    def __init__(self, live: LiveServer):
        self.live, self.answers, self.stopped = live, [], threading.Event()
        self.threads = [threading.Thread(target=self._run) for _ in range(3)]

    def _run(self):
        while not self.stopped.is_set():
            key = uuid.uuid4().hex
            variables = {
                "input": {
                    "categoryCode": "kebakaran",
                    "description": "Asap tebal dari gudang di belakang pasar.",
                    "latitude": -8.5833,
                    "longitude": 116.1167,
                    "idempotencyKey": key,
                }
            }
            try:
                answer = self.live.gql(SUBMIT, variables, slug="mataram")
            except OSError as exc:  # the server itself must never drop a request
                self.answers.append((key, None, repr(exc)))
                continue
            self.answers.append((key, answer, None))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        for thread in self.threads:
            thread.join(60)


def _reports_in_db(env) -> tuple[set[str], int]:
    """Idempotency keys of Mataram's reports, and how many lack a timeline."""
    import psycopg2

    url = env["DATABASE_URL"]
    host = url.split("host=", 1)[1]
    with psycopg2.connect(dbname="kanal", user="postgres", host=host) as conn, conn.cursor() as cur:
        cur.execute("SET search_path TO kota_mataram")
        cur.execute("SELECT idempotency_key FROM reports_report")
        keys = {row[0] for row in cur.fetchall()}
        cur.execute(
            "SELECT count(*) FROM reports_report r WHERE NOT EXISTS "
            "(SELECT 1 FROM reports_timelineentry t WHERE t.report_id = r.id)"
        )
        return keys, cur.fetchone()[0]


def _check(answers) -> tuple[set[str], int]:
    created, unavailable = set(), 0
    for key, answer, error in answers:
        assert error is None, error
        if answer.status == 200:
            payload = answer.json()["data"]["submitReport"]
            assert payload["errors"] == [] and payload["report"], payload
            created.add(key)
        else:
            assert answer.status == 503, (answer.status, answer.body[:300])
            assert answer.content_type.startswith("application/json")
            assert answer.headers.get("retry-after", "").isdigit()
            assert answer.codes == ["SERVICE_UNAVAILABLE"], answer.body[:300]
            unavailable += 1
    return created, unavailable


def test_a_postgres_outage_answers_503_and_loses_nothing(stack):
    live = stack["live"]
    readiness = []
    with Load(live) as load:
        time.sleep(3)
        stack["stop_postgres"]()
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:
            readiness.append(live.request("GET", "/readyz", slug="mataram").status)
            time.sleep(0.5)
        stack["start_postgres"]()
        time.sleep(5)
    created, unavailable = _check(load.answers)
    assert unavailable > 0, "the outage was never seen"
    assert 503 in readiness  # the load balancer is told to stop sending
    assert live.request("GET", "/readyz", slug="mataram").status in (200, 503)
    # Serving again by itself, and nothing half-written.
    after = live.gql(SUBMIT, {"input": {
        "categoryCode": "kebakaran", "description": "Asap lagi dari gudang belakang pasar.",
        "latitude": -8.5833, "longitude": 116.1167}}, slug="mataram")  # fmt: skip
    assert after.status == 200 and after.json()["data"]["submitReport"]["report"]
    stored, without_timeline = _reports_in_db(stack["env"])
    assert created <= stored  # every report a client was given exists
    assert without_timeline == 0


def test_a_redis_outage_never_answers_500(stack):
    live = stack["live"]
    with Load(live) as load:
        time.sleep(2)
        stack["stop_redis"]()
        time.sleep(8)
        stack["start_redis"]()
        time.sleep(3)
    created, _unavailable = _check(load.answers)
    assert created, "nothing was created"
    stored, without_timeline = _reports_in_db(stack["env"])
    assert created <= stored
    assert without_timeline == 0
