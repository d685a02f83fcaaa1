"""Onboarding runs: every apply is recorded, a failed one too, and leaves nothing half-made."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from cityconfig.validation import ConfigInvalid
from onboarding.models import OnboardingRun, RunSource, RunStatus
from onboarding.runs import apply_recorded, record_plan
from onboarding.vendor import plan_new_city, upload_draft
from tenants.models import City, Domain
from tests.vendor.conftest import new_city_yaml


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def test_an_applied_upload_is_recorded_with_its_plan_and_makes_the_city(cities):
    text = new_city_yaml()
    draft = upload_draft(text, "kotabaru.yaml")
    config, plan = plan_new_city(draft)
    run = record_plan(
        config,
        plan,
        actor="vendor-ops",
        kind=RunSource.UPLOAD,
        text=text,
        file_name="kotabaru.yaml",
    )
    assert run.status == RunStatus.PLANNED and run.creates_city

    run, applied = apply_recorded(config, actor="vendor-ops", source="test", kind="upload", run=run)

    run.refresh_from_db()
    assert run.status == RunStatus.APPLIED
    assert run.city_slug == "kotabaru" and run.yaml_text == text
    assert run.duration_ms is not None and run.finished_at is not None
    assert any(change["kind"] == "category" for change in run.plan)
    assert len(run.plan) == len(applied.changes)
    city = City.objects.get(slug="kotabaru")
    assert city.name == "Kota Baru" and schema_exists(city.schema_name)
    assert set(city.domains.values_list("domain", flat=True)) == {
        "kotabaru.localhost",
        "lapor.kotabaru.go.id",
    }


def test_a_failed_apply_is_recorded_and_leaves_no_city_no_schema_no_domain(cities):
    # A schema left behind by an earlier, half-removed city: creating the new
    # city's schema fails after its City row was written.
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA kota_kotagagal")
        cursor.execute("CREATE TABLE kota_kotagagal.leftover (id int)")
    config, _plan = plan_new_city(upload_draft(new_city_yaml("kotagagal"), "kotagagal.yaml"))

    with pytest.raises(Exception, match="already exists"):
        apply_recorded(config, actor="vendor-ops", source="test", kind="upload")

    connection.set_schema_to_public()
    run = OnboardingRun.objects.get(city_slug="kotagagal")
    assert run.status == RunStatus.FAILED
    assert "already exists" in run.error and run.duration_ms is not None
    assert not City.objects.filter(slug="kotagagal").exists()
    assert not Domain.objects.filter(
        domain__in=["kotagagal.localhost", "lapor.kotagagal.go.id"]
    ).exists()
    with connection.cursor() as cursor:  # nothing of the city inside the leftover schema
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'kota_kotagagal'"
        )
        assert [row[0] for row in cursor.fetchall()] == ["leftover"]


def test_an_existing_city_is_refused_by_the_new_city_wizard(cities):
    text = (new_city_yaml("kotacontoh")).replace("name: Kota Baru", "name: Kota Contoh")
    with pytest.raises(ConfigInvalid) as refused:
        plan_new_city(upload_draft(text, "kotacontoh.yaml"))
    assert refused.value.problems[0].path == "slug"
    assert "sudah ada" in refused.value.problems[0].message


def test_manage_py_onboard_apply_records_a_cli_run(cities, tmp_path):
    path = tmp_path / "kotacli.yaml"
    path.write_text(new_city_yaml("kotacli", "Kota Cli"))
    call_command("onboard", str(path), "--apply", "--actor", "ops (cli)")
    connection.set_schema_to_public()
    run = OnboardingRun.objects.get(city_slug="kotacli")
    assert run.source_kind == RunSource.CLI and run.status == RunStatus.APPLIED
    assert run.actor == "ops (cli)" and run.file_name == str(path)
    assert "slug: kotacli" in run.yaml_text
    call_command("onboard", str(path), "--apply", "--actor", "ops (cli)")  # again: no changes
    connection.set_schema_to_public()
    assert OnboardingRun.objects.filter(city_slug="kotacli").first().status == RunStatus.NO_CHANGES
