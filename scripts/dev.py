"""Developer entry points behind scripts/demo.sh and scripts/test.sh.

Both need a PostgreSQL: the one in DATABASE_URL when set (checked, and its
database created if missing), else an embedded server (the ``pgserver``
package) under ``.kanal/pgdata`` that lives as long as this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # devtools (the demo's fake messaging providers)
PGDATA = Path(os.environ.get("KANAL_PGDATA", ROOT / ".kanal" / "pgdata"))
PYTHON = sys.executable


def fail(message: str) -> None:
    print(f"\n✗ {message}", file=sys.stderr)
    sys.exit(2)


def _connect(url: str, dbname: str | None = None):
    import psycopg2

    parsed = urlparse(url)
    params = {
        "host": parsed.hostname
        or dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p).get("host"),
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "password": parsed.password or None,
        "dbname": dbname or parsed.path.lstrip("/") or "postgres",
        "connect_timeout": 5,
    }
    return psycopg2.connect(**{k: v for k, v in params.items() if v is not None})


def ensure_external_database(url: str) -> str:
    """Check the server in DATABASE_URL answers; create its database if missing."""
    import psycopg2

    dbname = urlparse(url).path.lstrip("/")
    try:
        conn = _connect(url, "postgres")
    except psycopg2.OperationalError as exc:
        fail(f"PostgreSQL in DATABASE_URL is not reachable ({url}):\n  {exc}".rstrip())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{dbname}"')
            print(f"==> Created database {dbname}")
    conn.close()
    return url


def start_embedded_database():
    """Start (or join) the embedded PostgreSQL; it stops when this process exits."""
    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    run_dir = PGDATA.parent / "run"
    run_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(run_dir))  # pgserver's platformdirs asks
    import pgserver

    print(f"==> Starting embedded PostgreSQL in {PGDATA}")
    server = pgserver.get_server(PGDATA, cleanup_mode="stop")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'kanal';")
    if "(1 row)" not in exists:
        server.psql("CREATE DATABASE kanal;")
    return server, f"postgresql://postgres@/kanal?host={PGDATA}"


def database_url() -> tuple[str, object | None]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        print("==> Using DATABASE_URL")
        return ensure_external_database(url), None
    server, url = start_embedded_database()
    return url, server


def ensure_redis(url: str) -> None:
    """Redis carries rate limits and live events: check it, start a local one if the
    machine has redis-server, or stop with a clear message."""
    import shutil
    import time

    import redis

    def alive() -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
        except redis.exceptions.RedisError:
            return False

    if alive():
        return
    parsed = urlparse(url)
    if parsed.hostname in ("127.0.0.1", "localhost") and shutil.which("redis-server"):
        print("==> Starting redis-server")
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--port",
                str(parsed.port or 6379),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=False,
        )
        for _ in range(20):
            if alive():
                return
            time.sleep(0.25)
    fail(f"Redis is not reachable at {url} (set REDIS_URL, or install redis-server).")


WEBAPP = ROOT / "webapp"
CHROMIUM = Path("/usr/bin/chromium")
PGBOUNCER = Path("/usr/sbin/pgbouncer")


def build_webapp() -> None:
    """Build the web app (webapp/ → webapp/dist, served by Django as static files):
    ``npm ci`` only when package-lock.json changed (stamp in node_modules), then
    ``npm run build``."""
    import hashlib
    import shutil

    npm = shutil.which("npm")
    if not shutil.which("node") or not npm:
        fail(
            "Node.js (20.19+ or 22.12+) and npm are needed to build the web app in webapp/;"
            " install them (e.g. apt-get install nodejs npm) and run again."
        )
    lock = WEBAPP / "package-lock.json"
    want = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = WEBAPP / "node_modules" / ".kanal-lock"
    if not stamp.exists() or stamp.read_text().strip() != want:
        print("==> npm ci (webapp/package-lock.json)")
        if subprocess.call([npm, "ci", "--no-audit", "--no-fund"], cwd=WEBAPP) != 0:
            fail("npm ci failed in webapp/")
        stamp.write_text(want)
    print("==> Building the web app (npm run build)")
    if subprocess.call([npm, "run", "build", "--silent"], cwd=WEBAPP) != 0:
        fail("npm run build failed in webapp/")


def ensure_test_tools() -> None:
    """Debian's chromium drives the browser tests, pgbouncer the pooler isolation
    test: install what is missing when we are root; otherwise those tests skip
    themselves, saying why."""
    import shutil

    wanted = {"chromium": CHROMIUM, "pgbouncer": PGBOUNCER}
    missing = [package for package, path in wanted.items() if not path.exists()]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"==> Installing {', '.join(missing)} for the tests (apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
        if subprocess.call(install, env=env) != 0:
            subprocess.call(["apt-get", "update"], env=env)
            subprocess.call(install, env=env)
    for path in wanted.values():
        if not path.exists():
            print(f"==> {path} is missing (not root or apt-get failed): its tests will skip")


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def run_foreground(args: list[str], env: dict) -> int:
    """Run a long-lived child; Ctrl-C or SIGTERM stops it, then this process exits
    normally so the embedded PostgreSQL is stopped too (pgserver's atexit)."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    child = subprocess.Popen(args, cwd=ROOT, env=env)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        print("\nStopped.")
        return 130


def manage(*args: str, env: dict) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        fail(f"manage.py {' '.join(args)} failed (exit {result.returncode})")


def demo(argv: list[str]) -> int:
    url, _server = database_url()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    ensure_redis(redis_url)
    env = {**os.environ, "DATABASE_URL": url, "KANAL_ENV": "development", "REDIS_URL": redis_url}
    env.update(channel_environment(env))
    build_webapp()
    configs = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tenant_configs").glob("*.yaml"))
    print("==> Migrating the public schema and every city")
    manage("migrate_schemas", "--executor=standard", "-v", "0", env=env)
    print("==> Onboarding the seed cities")
    manage("onboard", *configs, "--apply", "--actor", "demo", env=env)
    print("==> Demo accounts and data")
    manage("seed_demo", env=env)
    addr = os.environ.get("KANAL_DEMO_ADDR", "127.0.0.1:8000")
    port = addr.rsplit(":", 1)[-1]
    print(f"\n==> Serving on port {port} (Ctrl-C stops):")
    for path in configs:
        slug = Path(path).stem
        print(
            f"    http://{slug}.localhost:{port}/        admin: http://{slug}.localhost:{port}/admin/"
        )
    print(f"    vendor site and admin: http://localhost:{port}/admin/\n")
    print_channels(port)
    host, _, port = addr.rpartition(":")
    helpers = start_channel_helpers(env)
    # ASGI (uvicorn) so the command center's live GraphQL subscriptions work too.
    # kanal.serve derives uvicorn's proxy trust from KANAL_TRUSTED_PROXIES (none by default).
    server = [PYTHON, "-m", "kanal.serve", "--host", host, "--port", port]
    try:
        return run_foreground([*server, *argv], env)
    finally:
        for child in helpers:
            child.terminate()
        for child in helpers:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def channel_environment(env: dict) -> dict:
    """Demo secrets of the connected channels and the fake providers' address,
    also written to .kanal/demo.env for ``manage.py channel_simulate``."""
    from devtools.demo_channels import demo_environment, write_demo_env

    channels = demo_environment()
    write_demo_env(
        {
            **channels,
            "DATABASE_URL": env["DATABASE_URL"],
            "REDIS_URL": env["REDIS_URL"],
            "KANAL_DEMO_ADDR": os.environ.get("KANAL_DEMO_ADDR", "127.0.0.1:8000"),
        }
    )
    return channels


def start_channel_helpers(env: dict) -> list[subprocess.Popen]:
    """The fake WhatsApp/Telegram/Twilio servers and a Celery worker with beat:
    a chat is processed and answered by the worker, as in production."""
    from devtools.demo_channels import FAKES_ADDR

    schedule = ROOT / ".kanal" / "celerybeat-schedule"
    return [
        subprocess.Popen([PYTHON, "-m", "devtools.fakes", FAKES_ADDR], cwd=ROOT, env=env),
        subprocess.Popen(
            [
                *(PYTHON, "-m", "celery", "-A", "kanal", "worker", "--beat"),
                *("--concurrency", "1", "--loglevel", "warning", "--schedule", str(schedule)),
            ],
            cwd=ROOT,
            env=env,
        ),
    ]


def print_channels(port: str) -> None:
    from devtools.demo_channels import DEMO_SECRETS, FAKES_ADDR

    print(f"==> Messaging channels (fake providers on http://{FAKES_ADDR}, demo secrets):")
    print("    WhatsApp: mataram, serang · Telegram: pangkalpinang · SMS + e-mail: jakarta")
    for name, value in DEMO_SECRETS.items():
        print(f"      {name}={value}")
    print("    Watch a chat become a report, from another terminal:")
    print('      .venv/bin/python manage.py channel_simulate mataram whatsapp "lapor"')
    print("      (then answer the bot: a number, --location=LAT,LON, --photo FILE, kirim)\n")


def test(argv: list[str]) -> int:
    url, _server = database_url()
    # Database 15 of the local Redis: tests clear it freely.
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    ensure_redis(redis_url)
    env = {**os.environ, "DATABASE_URL": url, "KANAL_ENV": "test", "REDIS_URL": redis_url}
    build_webapp()
    ensure_test_tools()
    print("==> ruff")
    lint = subprocess.call([PYTHON, "-m", "ruff", "check", "."], cwd=ROOT, env=env)
    if lint != 0:
        fail("ruff found problems")
    layout = subprocess.call([PYTHON, "-m", "ruff", "format", "--check", "."], cwd=ROOT, env=env)
    if layout != 0:
        fail("ruff format would change the files above: run `.venv/bin/ruff format .`")
    print("==> import-linter (layers: [tool.importlinter] in pyproject.toml)")
    layer_env = {
        **env,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform"), str(ROOT / "graphql")]),
    }
    layers = subprocess.call([str(Path(PYTHON).parent / "lint-imports")], cwd=ROOT, env=layer_env)
    if layers != 0:
        fail("an import crosses a layer (see the broken contract above)")
    print("==> pytest")
    return run_foreground([PYTHON, "-m", "pytest", *argv], env)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test"}:
        fail("usage: scripts/dev.py demo|test [args...]")
    command, argv = sys.argv[1], sys.argv[2:]
    return demo(argv) if command == "demo" else test(argv)


if __name__ == "__main__":
    sys.exit(main())
