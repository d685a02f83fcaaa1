"""ISOLATION.md #1: connection poolers and ``search_path``.

Kanal supports PostgreSQL directly or behind a PgBouncer in *session* mode (the
chart's ``database.poolMode``, the only mode the settings accept). These tests
start a real ``pgbouncer`` (Debian package; scripts/dev.py installs it) and

* run every test marked ``isolation`` again with Django, the worker and the
  channel layer connected through it in session mode;
* show why transaction mode is refused: with it, one client's ``SET
  search_path`` lands on the server connection another client then uses.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
INNER_DB = "kanal_pgbouncer"

pytestmark = pytest.mark.skipif(
    not Path(PGBOUNCER).exists(),
    reason="pgbouncer is not installed (apt-get install pgbouncer; scripts/test.sh does it)",
)


def _server() -> tuple[str, int, str]:
    """Host (or socket directory), port and user of the test PostgreSQL."""
    db = connection.settings_dict
    host = db.get("HOST") or (db.get("OPTIONS") or {}).get("host") or "127.0.0.1"
    return str(host), int(db.get("PORT") or 5432), db.get("USER") or "postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as(host: str) -> list[str]:
    """PgBouncer refuses to run as root: run it as the owner of the server's
    socket directory (the embedded server), else as ``postgres`` or ``nobody``."""
    if os.geteuid() != 0:
        return []
    if host.startswith("/"):
        return ["-u", pwd.getpwuid(os.stat(host).st_uid).pw_name]
    for name in ("postgres", "nobody"):
        try:
            return ["-u", pwd.getpwnam(name).pw_name]
        except KeyError:
            continue
    pytest.skip("no unprivileged user to run pgbouncer as")


@dataclass
class Bouncer:
    port: int
    user: str

    def connect(self, dbname: str):
        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname=dbname, connect_timeout=5
        )
        conn.autocommit = True
        return conn

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"


@contextmanager
def pgbouncer(mode: str, pool_size: int = 20) -> Iterator[Bouncer]:
    host, port, user = _server()
    listen = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="kanal-pgbouncer-"))
    workdir.chmod(0o755)
    (workdir / "users.txt").write_text(f'"{user}" ""\n')
    (workdir / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={host} port={port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {workdir / 'users.txt'}\nadmin_users = {user}\n"
        f"pool_mode = {mode}\ndefault_pool_size = {pool_size}\nmax_client_conn = 500\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    for path in workdir.iterdir():
        path.chmod(0o644)
    log = (workdir / "pgbouncer.log").open("w")
    process = subprocess.Popen(
        [PGBOUNCER, *_run_as(host), str(workdir / "pgbouncer.ini")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    bouncer = Bouncer(listen, user)
    try:
        for _ in range(50):
            try:
                bouncer.connect("postgres").close()
                break
            except psycopg2.OperationalError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            raise AssertionError("pgbouncer did not start")
        if process.poll() is not None:
            raise AssertionError(f"pgbouncer exited: {(workdir / 'pgbouncer.log').read_text()}")
        yield bouncer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _drop_inner_database() -> None:
    """Directly, not through PgBouncer: its pooled server connections would keep
    the database busy."""
    host, port, user = _server()
    conn = psycopg2.connect(host=host, port=port, user=user, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "test_{INNER_DB}" WITH (FORCE)')
    conn.close()


@pytest.mark.slow
def test_the_isolation_suite_passes_through_pgbouncer_in_session_mode(db):
    _drop_inner_database()
    try:
        with pgbouncer("session") as bouncer:
            env = {
                **os.environ,
                "DATABASE_URL": bouncer.url(INNER_DB),
                # Another Redis database than the outer run's: the inner tests clear it.
                "REDIS_URL": os.environ.get(
                    "KANAL_PGBOUNCER_REDIS_URL", "redis://127.0.0.1:6379/14"
                ),
                "KANAL_DB_POOL_MODE": "session",
            }
            run = subprocess.run(
                # --reuse-db: Django would drop its test database through PgBouncer,
                # which still holds pooled connections to it; we drop it directly.
                [sys.executable, "-m", "pytest", "-m", "isolation", "-q", "--reuse-db",
                 "-p", "no:cacheprovider", "tests"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
            )  # fmt: skip
            stats = bouncer.connect("pgbouncer")
            with stats.cursor() as cur:
                cur.execute("SHOW STATS")
                columns = [c.name for c in cur.description]
                rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
            stats.close()
    finally:
        _drop_inner_database()
    summary = run.stdout.strip().splitlines()[-1:] or ["(no output)"]
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in summary[0] and "failed" not in summary[0], summary
    # The traffic really went through PgBouncer, into the inner test database.
    through = {row["database"]: row["total_xact_count"] for row in rows}
    assert through.get(f"test_{INNER_DB}", 0) > 100, through


def _search_path(conn) -> str:
    with conn.cursor() as cur:
        cur.execute("SHOW search_path")
        return cur.fetchone()[0]


def _set_city(conn, schema: str) -> None:
    # What django-tenants sends when a request switches city: a statement of its own.
    with conn.cursor() as cur:
        cur.execute(f"SET search_path = '{schema}','public'")


@pytest.mark.parametrize(
    ("mode", "mataram_sees"), [("session", "mataram"), ("transaction", "serang")]
)
def test_only_session_pooling_keeps_each_connections_city(cities, mode, mataram_sees):
    """Two app connections, one server connection (pool size 1): in transaction
    mode Mataram's next query runs under Serang's schema — the leak the settings
    and the chart refuse."""
    dbname = connection.settings_dict["NAME"]
    with pgbouncer(mode, pool_size=1 if mode == "transaction" else 2) as bouncer:
        mataram, serang = bouncer.connect(dbname), bouncer.connect(dbname)
        _set_city(mataram, cities["mataram"].schema_name)
        _set_city(serang, cities["serang"].schema_name)
        assert cities[mataram_sees].schema_name in _search_path(mataram)
        mataram.close()
        serang.close()


def test_settings_refuse_transaction_pooling():
    env = {**os.environ, "KANAL_DB_POOL_MODE": "transaction"}
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "kanal.settings"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode != 0
    assert "KANAL_DB_POOL_MODE must be 'session'" in run.stderr
