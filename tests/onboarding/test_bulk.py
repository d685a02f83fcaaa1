"""``onboard`` with many files: applied in parallel processes, one result per city,
a failing city undone alone.

Forked workers commit for real, so the parallel path runs ``manage.py`` in a
subprocess against a database of its own (the test session's cities live in
a transaction the workers could not see).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest

from onboarding.bulk import apply_many
from onboarding.scaffold import scaffold_city
from tenants.models import City
from tests.conftest import ROOT


def test_sequential_bulk_gives_a_result_per_city_and_one_failure_stays_alone(db):
    first = scaffold_city("32.71").config
    second = scaffold_city("52.01").config
    # The second city claims the host name of a seed city: refused when applied.
    clash = second.model_copy(update={"domains": ["lapor.mataramkota.go.id"]})
    results = apply_many(
        [("kota-bogor.yaml", first), ("kab-lombok-barat.yaml", clash)], actor="pytest", jobs=1
    )
    assert [(r.slug, r.ok, r.created) for r in results] == [
        ("kota-bogor", True, True),
        ("kab-lombok-barat", False, False),
    ]
    assert "lapor.mataramkota.go.id" in results[1].error
    assert City.objects.filter(slug="kota-bogor").exists()
    assert not City.objects.filter(slug="kab-lombok-barat").exists()


@pytest.fixture
def own_database():
    """A fresh database with the public schema migrated, dropped afterwards."""
    url = os.environ["DATABASE_URL"]
    name = f"kanal_bulk_{os.getpid()}"
    parsed = urlparse(url)
    admin = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
    env = {
        **os.environ,
        "DATABASE_URL": urlunparse(parsed._replace(path=f"/{name}")),
        "KANAL_ENV": "test",
    }
    manage(["migrate_schemas", "--shared", "-v", "0"], env)
    yield env
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def manage(args: list[str], env: dict, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=600,
    )


def count(env: dict, sql: str) -> int:
    with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@pytest.mark.slow
def test_many_files_apply_in_parallel_with_a_result_each(own_database, tmp_path):
    env = own_database
    slugs = {"61.71": "kota-pontianak", "81.71": "kota-ambon", "51.71": "kota-denpasar"}
    paths = []
    for code, slug in slugs.items():
        out = tmp_path / f"{slug}.yaml"
        manage(["scaffold_city", code, "--without-center", "--output", str(out)], env)
        paths.append(str(out))
    # Two files claim the same city-owned host: one of them must fail, alone.
    for path in paths[1:]:
        text = pathlib.Path(path).read_text().replace("domains: []", "domains: [lapor.sama.go.id]")
        pathlib.Path(path).write_text(text)
    done = manage(["onboard", *paths, "--apply", "--jobs", "2", "--actor", "pytest"], env, False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "OK     kota-pontianak: dibuat" in done.stdout
    assert "1 of 3 cities failed and were left unchanged" in done.stderr
    ok = [slug for slug in ("kota-ambon", "kota-denpasar") if f"OK     {slug}" in done.stdout]
    failed = [slug for slug in ("kota-ambon", "kota-denpasar") if f"GAGAL  {slug}" in done.stderr]
    assert len(ok) == 1 and len(failed) == 1, done.stdout + done.stderr
    # The failed city left nothing: no row, no schema, no domain.
    schema = "kota_" + failed[0].replace("-", "_")
    assert count(env, f"SELECT count(*) FROM tenants_city WHERE slug = '{failed[0]}'") == 0
    assert count(env, f"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'") == 0
    assert count(env, f"SELECT count(*) FROM tenants_domain WHERE domain LIKE '{failed[0]}.%'") == 0
    assert count(env, "SELECT count(*) FROM tenants_domain WHERE domain = 'lapor.sama.go.id'") == 1
    # Every run is recorded, the failure with its error.
    assert count(env, "SELECT count(*) FROM onboarding_onboardingrun WHERE status = 'failed'") == 1
    assert count(env, "SELECT count(*) FROM onboarding_onboardingrun WHERE status = 'applied'") == 2
    # The survivors serve: a second parallel apply of the two good files changes nothing.
    good = [p for p in paths if failed[0] not in p]
    again = manage(["onboard", *good, "--apply", "--jobs", "2", "--actor", "pytest"], env)
    assert again.stdout.count("OK     ") == 2
    assert "dibuat" not in again.stdout
