"""Onboarding: plan shows the changes and writes nothing; apply makes them in one
transaction and records a revision; a second apply and an exported config
change nothing; retiring never deletes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connection
from django_tenants.utils import schema_context

from cityconfig.export import config_to_yaml, current_config
from cityconfig.models import Category, CityProfile, ConfigRevision, Opd, RoutingRule, SlaRule
from onboarding.loading import ConfigInvalid, load_config, parse_config
from onboarding.services import apply_config, plan_config
from tenants.models import City, Domain
from tests.conftest import CONFIG_DIR, FIXTURES, SEED_SLUGS

BASE = (FIXTURES / "kotacontoh.yaml").read_text()


def variant(slug: str = "kotabaru", *replacements: tuple[str, str]):
    text = BASE.replace("slug: kotacontoh", f"slug: {slug}").replace(
        "lapor.kotacontoh.go.id", f"lapor.{slug}.go.id"
    )
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return parse_config(text)


def test_plan_for_a_new_city_lists_everything_and_writes_nothing(db):
    plan = plan_config(variant())
    assert plan.creates_city
    described = plan.describe()
    assert "+ kota kotabaru (skema kota_kotabaru dibuat)" in described
    assert "+ category jalan-rusak" in described
    assert "+ opd wil-52-99-01-1001" not in described  # generated from areas, not listed
    assert not City.objects.filter(slug="kotabaru").exists()


def test_apply_creates_city_schema_domains_and_config(db):
    plan = apply_config(variant(), actor="ani@vendor", source="kotabaru.yaml")
    assert plan.creates_city
    city = City.objects.get(slug="kotabaru")
    assert city.schema_name == "kota_kotabaru"
    assert city.time_zone == "Asia/Makassar"
    assert set(Domain.objects.filter(tenant=city).values_list("domain", flat=True)) == {
        "kotabaru.localhost",
        "lapor.kotabaru.go.id",
    }
    with schema_context(city.schema_name):
        assert Category.objects.active().count() == 3
        kelurahan_office = Opd.objects.get(code="wil-52-99-01-1001")
        assert kelurahan_office.name == "Kelurahan Pantai"
        assert kelurahan_office.parent.name == "Kecamatan Utara"
        assert CityProfile.load().default_opd.code == "command-center"
        rule = RoutingRule.objects.get(area__code="52.99.02")
        assert (rule.opd_token, rule.forward_to.code) == ("@kelurahan", "dlh")
        revision = ConfigRevision.objects.get()
        assert revision.actor == "ani@vendor"
        assert {
            "action": "create",
            "kind": "category",
            "key": "sampah",
            "fields": {},
        } in revision.changes


def test_second_apply_reports_no_changes_and_records_nothing(db):
    apply_config(variant(), actor="a")
    again = apply_config(variant(), actor="a")
    assert not again.has_changes
    assert again.describe() == "Tidak ada perubahan."
    with schema_context("kota_kotabaru"):
        assert ConfigRevision.objects.count() == 1


def test_a_change_is_planned_field_by_field_and_recorded(db):
    apply_config(variant(), actor="a")
    changed = variant("kotabaru", ("{id: Sampah, en: Garbage}", "{id: Sampah, en: Waste}"))
    plan = plan_config(changed)
    assert plan.describe() == "~ category sampah: name.en: 'Garbage' → 'Waste'"
    apply_config(changed, actor="budi@diskominfo")
    with schema_context("kota_kotabaru"):
        assert Category.objects.get(code="sampah").name_en == "Waste"
        latest = ConfigRevision.objects.first()
        assert latest.actor == "budi@diskominfo"
        assert latest.changes[0]["fields"] == {"name.en": ["Garbage", "Waste"]}


def test_retiring_a_category_deactivates_it_and_bringing_it_back_reactivates(db):
    apply_config(variant(), actor="a")
    without_pungli = variant(
        "kotabaru",
        (
            "  - code: pungli\n    name: {id: Pungutan Liar, en: Illegal Levies}\n"
            "    group: lingkungan\n    photo_required: false\n",
            "",
        ),
    )
    plan = apply_config(without_pungli, actor="a")
    assert (
        "- category pungli (dinonaktifkan; laporan dan riwayat tetap tersimpan)" in plan.describe()
    )
    with schema_context("kota_kotabaru"):
        pungli = Category.objects.get(code="pungli")
        assert not pungli.active
        assert "pungli" not in [c.code for c in current_config("kotabaru").categories]
    apply_config(variant(), actor="a")
    with schema_context("kota_kotabaru"):
        assert Category.objects.get(code="pungli").pk == pungli.pk
        assert Category.objects.get(code="pungli").active


def test_changing_a_category_sla_updates_the_rule(db):
    apply_config(variant(), actor="a")
    faster = variant(
        "kotabaru", ("sla: {response: 1d, resolution: 7d}", "sla: {response: 6h, resolution: 7d}")
    )
    assert plan_config(faster).describe() == "~ sla_rule jalan-rusak/*: response: '1d' → '6h'"
    apply_config(faster, actor="a")
    with schema_context("kota_kotabaru"):
        assert SlaRule.objects.get(category__code="jalan-rusak").response == "6h"


@pytest.mark.parametrize("slug", [*SEED_SLUGS, "kotacontoh"])
def test_exported_config_reapplies_with_no_changes(cities, slug, tmp_path):
    with schema_context(cities[slug].schema_name):
        text = config_to_yaml(current_config(slug))
    path = tmp_path / f"{slug}.yaml"
    path.write_text(text)
    exported = load_config(path)
    assert plan_config(exported).describe() == "Tidak ada perubahan."
    source = CONFIG_DIR / f"{slug}.yaml" if slug in SEED_SLUGS else FIXTURES / "kotacontoh.yaml"
    assert exported == load_config(source)


def test_export_config_command_writes_yaml(cities, tmp_path):
    out = tmp_path / "mataram.yaml"
    call_command("export_config", "mataram", "-o", str(out))
    assert load_config(out).branding.app_name == "Mataramku Lapor"


def test_domain_owned_by_another_city_is_refused_and_nothing_written(db):
    taken = variant("kotabaru", ("lapor.kotabaru.go.id", "lapor.kotacontoh.go.id"))
    with pytest.raises(ConfigInvalid) as caught:
        apply_config(taken, actor="a")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("domains[0]", "'lapor.kotacontoh.go.id' is already used by city 'kotacontoh'")
    ]
    assert not City.objects.filter(slug="kotabaru").exists()


def test_a_failure_while_creating_the_city_leaves_nothing_behind(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA kota_kotabaru")  # an operator's leftover
    with pytest.raises(ProgrammingError):
        apply_config(variant(), actor="a")
    assert not City.objects.filter(slug="kotabaru").exists()
    assert not Domain.objects.filter(domain="kotabaru.localhost").exists()


def test_onboard_command_plans_and_applies(db, capsys):
    call_command("onboard", str(FIXTURES / "kotacontoh.yaml"), "--plan")
    assert "Tidak ada perubahan." in capsys.readouterr().out


def test_onboard_command_reports_every_problem_and_changes_nothing(db, capsys):
    from django.core.management.base import CommandError

    broken = FIXTURES / "broken_configs" / "26_several_problems.yaml"
    with pytest.raises(CommandError, match="2 problem"):
        call_command("onboard", str(broken), "--apply")
    err = capsys.readouterr().err
    assert "identity.time_zone: 'WITA' is not a known time zone" in err
    assert "branding.colors.primary" in err
