"""``manage.py migrate_cities``: every city migrated in parallel; a broken city
is reported without stopping the others, and ``--resume`` retries only it.

The broken city is made for the test and committed (forked workers must see
it): one table of its schema, ``django_migrations``, is dropped with raw SQL,
so migrate tries to create its tables again and fails.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenants.models import City


def run(*args: str, state) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("migrate_cities", "--processes", "2", "--state", str(state), *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_unknown_city_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="kota-tak-ada"):
        call_command(
            "migrate_cities",
            "--skip-public",
            "--city",
            "kota-tak-ada",
            "--state",
            str(tmp_path / "s"),
        )


def test_a_broken_city_fails_alone_and_resume_retries_only_it(
    committed_cities, django_db_blocker, tmp_path
):
    committed_cities("kotasehat", "kotarusak")
    state = tmp_path / "migrate_cities.json"
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE kota_kotarusak.django_migrations")
        slugs = set(City.objects.exclude(schema_name="public").values_list("slug", flat=True))
        assert {"kotasehat", "kotarusak", "mataram"} <= slugs

        out, error = run(state=state)
        assert error is not None and "kotarusak" in str(error)
        assert "kotasehat" not in str(error)
        assert "kotarusak: FAILED: ProgrammingError" in out
        assert f"{len(slugs) - 1} migrated, 1 failed, 0 skipped" in out
        first = json.loads(state.read_text())
        assert {s for s, e in first["cities"].items() if e["status"] == "ok"} == slugs - {
            "kotarusak"
        }
        assert "already exists" in first["cities"]["kotarusak"]["error"]
        assert first["target"] and all(len(leaf) == 2 for leaf in first["target"])

        out, error = run("--resume", "--skip-public", state=state)  # still broken
        assert error is not None
        assert "1 cities to migrate" in out and f"{len(slugs) - 1} already at" in out
        second = json.loads(state.read_text())
        assert second["cities"]["kotarusak"]["attempts"] == 2
        for slug in slugs - {"kotarusak"}:
            assert second["cities"][slug] == first["cities"][slug]  # not run again

        # The operator repairs the schema: its migration history, from a healthy city.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO kota_kotarusak.django_migrations (app, name, applied) "
                "SELECT app, name, applied FROM kota_kotasehat.django_migrations"
            )
        out, error = run("--resume", "--skip-public", state=state)
        assert error is None, out
        assert "1 migrated, 0 failed" in out
        third = json.loads(state.read_text())
        assert third["cities"]["kotarusak"]["status"] == "ok"

        out, error = run("--resume", "--skip-public", state=state)
        assert error is None and "0 cities to migrate" in out
        connection.set_schema_to_public()
