"""A real uvicorn (started the way production starts it, ``python -m
kanal.serve``) on the session's test database, for requests whose headers and
bodies matter: forged forwarding headers, bodies that are not UTF-8, oversized
multipart uploads. Its city is committed, so the server process sees it."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.browser.conftest import _database_url, _free_port, _replace_domains, run_in_thread
from tests.conftest import CONFIG_DIR, ROOT

SLUG = "hard-mtr"  # a copy of Mataram (WITA), committed for the server process
OTHER = "hard-pkp"  # a copy of Pangkalpinang: "another city"
PASSWORD = "Rahasia-Kota-2026"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self):
        return json.loads(self.body)

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.json().get("errors") or []]


class LiveServer:
    def __init__(self, port: int, otp_file: Path):
        self.port = port
        self.otp_file = otp_file

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        *,
        slug: str = SLUG,
        host: str | None = None,
    ) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(
                method,
                path,
                body=body,
                headers={"Host": host or f"{slug}.localhost:{self.port}", **(headers or {})},
            )
            response = conn.getresponse()
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def gql(self, query: str, variables=None, *, token=None, slug=SLUG, headers=None) -> Answer:
        extra = {"Content-Type": "application/json", **(headers or {})}
        if token:
            extra["Authorization"] = f"Bearer {token}"
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        return self.request("POST", "/graphql/", body, extra, slug=slug)

    def otp_for(self, phone_e164: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.otp_file.exists():
                for line in reversed(self.otp_file.read_text().splitlines()):
                    phone, _, code = line.partition(" ")
                    if phone == phone_e164:
                        return code
            time.sleep(0.1)
        raise AssertionError(f"no code sent to {phone_e164}")

    def citizen_token(self, phone: str, e164: str, slug: str = SLUG) -> str:
        sent = self.gql(
            "mutation($p:String!){ requestOtp(phone:$p){ sent errors{code} } }",
            {"p": phone},
            slug=slug,
        )
        assert sent.json()["data"]["requestOtp"]["sent"], sent.body
        code = self.otp_for(e164)
        verified = self.gql(
            "mutation($p:String!,$c:String!){ verifyOtp(phone:$p, code:$c){ token errors{code} } }",
            {"p": phone, "c": code},
            slug=slug,
        )
        return verified.json()["data"]["verifyOtp"]["token"]


@pytest.fixture
def db(django_db_setup):
    """No test transaction here: the server process must see what tests commit."""


@pytest.fixture(scope="session")
def hard_cities(django_db_setup, django_db_blocker) -> dict:
    from onboarding.loading import parse_config
    from onboarding.services import apply_config
    from tenants.models import City

    with django_db_blocker.unblock():
        cities = {}
        for slug, seed in ((SLUG, "mataram"), (OTHER, "pangkalpinang")):
            if not City.objects.filter(slug=slug).exists():
                text = (CONFIG_DIR / f"{seed}.yaml").read_text()
                text = _replace_domains(text.replace(f"slug: {seed}", f"slug: {slug}", 1), slug)
                # A city's secrets carry its own prefix (cityconfig.checks.check_messaging).
                prefix = slug.upper().replace("-", "_")
                text = text.replace(f"env:KANAL_{seed.upper()}_", f"env:KANAL_{prefix}_")
                apply_config(parse_config(text), actor="pytest-hardening")
            cities[slug] = City.objects.get(slug=slug)
        connection.set_schema_to_public()
    return cities


@pytest.fixture(scope="session")
def live(hard_cities, tmp_path_factory) -> Iterator[LiveServer]:
    from django.conf import settings

    port = _free_port()
    otp_file = tmp_path_factory.mktemp("otp") / "codes.txt"
    log_path = ROOT / "test-artifacts" / "hardening-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KANAL_ENV": "test",
        "DEBUG": "true",  # development: where a 500 would show the debug page
        "KANAL_OTP_SENDER": "people.otp.FileSender",
        "KANAL_OTP_FILE": str(otp_file),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    env.pop("KANAL_TRUSTED_PROXIES", None)  # the default: trust no forwarding header
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    args = [sys.executable, "-m", "kanal.serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [*args, "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    server = LiveServer(port, otp_file)
    deadline = time.monotonic() + 60
    while True:
        try:
            if server.request("GET", "/healthz").status == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"kanal.serve did not start; see {log_path}")
        time.sleep(0.3)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def in_city(hard_cities, django_db_blocker):
    """Run ``fn`` in a city's schema on a committed connection (from the test)."""
    from django_tenants.utils import schema_context

    def call(slug, fn, *args):
        def inner():
            with schema_context(hard_cities[slug].schema_name):
                return fn(*args)

        return run_in_thread(django_db_blocker, inner)

    return call


@pytest.fixture
def staff_account(in_city):
    import secrets

    def make(role: str = "operator", slug: str = SLUG) -> str:
        from tests.factories import CityWorld

        username = f"{role}-{secrets.token_hex(3)}"

        def create():
            from tenants.models import City

            world = CityWorld(City.objects.get(slug=slug))
            user = world.staff(role, None, username=username).user
            user.is_staff = True
            user.set_password(PASSWORD)
            user.save()

        in_city(slug, create)
        return username

    return make
