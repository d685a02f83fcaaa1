"""Browser tests: Debian's chromium (Playwright's Python client, no downloaded
browsers) against a real uvicorn server on the session's test database.

The server is another process, so everything it must see is committed: two
dedicated cities onboarded from the Pangkalpinang and Mataram configs (own
slugs and domains, same names, branding and boundaries), and staff accounts.
One-time codes reach the test through people.otp.FileSender.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection, connections

from tests.conftest import CONFIG_DIR, ROOT

CHROMIUM = Path("/usr/bin/chromium")
DIST_INDEX = ROOT / "webapp" / "dist" / "index.html"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Rahasia-Kota-2026"
# Browser-test city → the seed config it copies (names, colours, boundary).
WEB_CITIES = {"web-pkp": "pangkalpinang", "web-mtr": "mataram", "web-jkt": "jakarta"}


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium; scripts/test.sh does it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    if not DIST_INDEX.exists():
        return "webapp/dist is not built (cd webapp && npm ci && npm run build)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if reason:
        marker = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(marker)


@pytest.fixture
def db(django_db_setup):
    """Overrides pytest-django's ``db`` here: asking for it makes the session set
    up the test database, but browser tests get no test transaction (the server
    process must see what they create; they commit through django_db_blocker)."""


@pytest.fixture(autouse=True)
def _test_database_first(db):
    """Every browser test sets up the test database before anything else (a
    module run alone otherwise reached the city fixtures before the database
    was migrated)."""


def run_in_thread(django_db_blocker, fn, *args):
    """ORM calls from a test: in a thread of their own (Playwright's sync API keeps
    an event loop in the main thread), on their own autocommitted connection."""

    def call():
        try:
            return fn(*args)
        finally:
            connections.close_all()

    with django_db_blocker.unblock(), ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()


@pytest.fixture(scope="session")
def web_cities(django_db_setup, django_db_blocker) -> dict:
    from onboarding.loading import parse_config
    from onboarding.services import apply_config
    from tenants.models import City

    with django_db_blocker.unblock():
        cities = {}
        for slug, seed in WEB_CITIES.items():
            if not City.objects.filter(slug=slug).exists():
                text = (CONFIG_DIR / f"{seed}.yaml").read_text()
                text = text.replace(f"slug: {seed}", f"slug: {slug}", 1)
                text = _replace_domains(text, slug)
                # A city's channel secrets carry its own prefix (cityconfig.checks).
                prefix = slug.upper().replace("-", "_")
                text = text.replace(f"env:KANAL_{seed.upper()}_", f"env:KANAL_{prefix}_")
                config = parse_config(text)
                # No internet here: the seed's public tile server (branding.map)
                # is left out; tests that want tiles name a local one (TileServer).
                branding = config.branding.model_copy(update={"map": None})
                apply_config(
                    config.model_copy(update={"branding": branding}), actor="pytest-browser"
                )
            cities[slug] = City.objects.get(slug=slug)
        connection.set_schema_to_public()
    return cities


def _replace_domains(text: str, slug: str) -> str:
    lines, out, in_domains = text.splitlines(), [], False
    for line in lines:
        if line.startswith("domains:"):
            in_domains = True
            out += [line, f"  - lapor.{slug}.test"]
            continue
        if in_domains and line.startswith("  - "):
            continue
        in_domains = False
        out.append(line)
    return "\n".join(out) + "\n"


def _database_url() -> str:
    from tests.factories import test_database_url

    return test_database_url()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, port: int, otp_file: Path):
        self.port = port
        self.otp_file = otp_file

    def url(self, slug: str, path: str = "/") -> str:
        return f"http://{slug}.localhost:{self.port}{path}"

    def fetch(self, slug: str, path: str, data: bytes | None = None, headers=None):
        """An HTTP request from the test itself (Python does not resolve
        *.localhost; Chromium does): to 127.0.0.1 with the city's Host."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            headers={"Host": f"{slug}.localhost:{self.port}", **(headers or {})},
        )
        return urllib.request.urlopen(request, timeout=10)

    def otp_for(self, phone_e164: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.otp_file.exists():
                for line in reversed(self.otp_file.read_text().splitlines()):
                    phone, _, code = line.partition(" ")
                    if phone == phone_e164:
                        return code
            time.sleep(0.2)
        raise AssertionError(f"no one-time code was sent to {phone_e164}")


@pytest.fixture(scope="session")
def mailbox():
    """A real SMTP server (aiosmtpd) the browser-test server sends its e-mail to."""
    from tests.vendor.mail import start_smtp

    controller, box = start_smtp()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def server(web_cities, tmp_path_factory, mailbox) -> Iterator[Server]:
    from django.conf import settings

    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    port = _free_port()
    otp_file = tmp_path_factory.mktemp("otp") / "codes.txt"
    log_path = ROOT / "test-artifacts" / "browser-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KANAL_ENV": "test",
        "DEBUG": "true",  # ASGIStaticFilesHandler serves webapp/dist as /static/
        "KANAL_OTP_SENDER": "people.otp.FileSender",
        "KANAL_OTP_FILE": str(otp_file),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "KANAL_SMTP_HOST": "127.0.0.1",
        "KANAL_SMTP_PORT": str(mailbox.port),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    args = [sys.executable, "-m", "uvicorn", "kanal.asgi:application"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log_path.open("a") as log:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    probe = urllib.request.Request(
        f"http://127.0.0.1:{port}/manifest.webmanifest",
        headers={"Host": f"web-pkp.localhost:{port}"},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"uvicorn did not start; see {log_path}:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.3)
    try:
        yield Server(port, otp_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(server):
    """Module-scoped: Playwright's sync API keeps an event loop in the main thread
    while it runs, which Django's ORM refuses; it must stop before other tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def staff_user(web_cities, django_db_blocker):
    """Make a committed staff account with a role; returns its username."""
    from tests.reports.conftest import CityWorld

    def make(slug: str, role: str, opd_code: str | None = None) -> str:
        username = f"{role}-{opd_code or 'kota'}-{secrets.token_hex(3)}"

        def create():
            user = CityWorld(web_cities[slug]).staff(role, opd_code, username=username).user
            user.is_staff = True
            user.set_password(PASSWORD)
            user.save()

        run_in_thread(django_db_blocker, create)
        return username

    return make


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def console_admin(web_cities, django_db_blocker):
    """A committed Diskominfo admin of a browser-test city (console access, no
    superuser flag); returns its username. Sign in with :func:`console_sign_in`."""
    from tests.browser.console_helpers import make_console_admin

    def make(slug: str = "web-mtr") -> str:
        username = f"diskominfo-{secrets.token_hex(3)}"
        run_in_thread(django_db_blocker, make_console_admin, web_cities[slug], username)
        return username

    return make
