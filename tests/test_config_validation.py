"""City configs: the seed cities validate, and broken configs are refused with
the exact place and reason, before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onboarding.loading import ConfigInvalid, load_config, parse_config
from tests.conftest import CONFIG_DIR, FIXTURES, SEED_SLUGS

BROKEN = sorted((FIXTURES / "broken_configs").glob("*.yaml"))


def expectations(path: Path) -> list[tuple[str, str]]:
    found = re.findall(r"^# expect: (.*?) \| (.*)$", path.read_text(), flags=re.M)
    assert found, f"{path.name} has no '# expect:' line"
    return found


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_seed_city_config_is_valid(slug):
    config = load_config(CONFIG_DIR / f"{slug}.yaml")
    assert config.slug == slug
    assert config.identity.default_locale == "id"
    assert len(config.categories) >= 10
    assert config.areas, "the territorial line (kecamatan → kelurahan) is configured"


def test_mataram_is_wita_and_the_others_wib():
    zones = {
        slug: load_config(CONFIG_DIR / f"{slug}.yaml").identity.time_zone for slug in SEED_SLUGS
    }
    assert zones == {
        "pangkalpinang": "Asia/Jakarta",
        "mataram": "Asia/Makassar",
        "serang": "Asia/Jakarta",
        "jakarta": "Asia/Jakarta",
    }


def test_serang_takes_reports_through_twelve_channels_including_112():
    channels = load_config(CONFIG_DIR / "serang.yaml").channels
    assert len(channels) == 12
    assert {"call_112", "facebook", "twitter", "walk_in"} <= set(channels)


def test_jakarta_has_no_priority_classes_and_kelurahan_checks_first():
    config = load_config(CONFIG_DIR / "jakarta.yaml")
    assert config.priorities == []
    assert [a.level for a in config.areas].count("kelurahan") == 267
    assert any(rule.opd == "@kelurahan" and rule.forward_to for rule in config.routing.rules)


def test_the_corpus_has_at_least_fifteen_broken_configs():
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_config_is_refused_with_its_path_and_reason(path):
    with pytest.raises(ConfigInvalid) as caught:
        parse_config(path.read_text(), file=path.name)
    problems = caught.value.problems
    for expected_path, expected_message in expectations(path):
        matching = [p for p in problems if p.path == expected_path.strip()]
        assert matching, f"no problem at '{expected_path}' in {[str(p) for p in problems]}"
        assert any(expected_message in p.message for p in matching), [str(p) for p in matching]
        assert all(p.file == path.name for p in matching)


def test_problems_carry_the_line_number():
    path = FIXTURES / "broken_configs" / "09_zero_sla_target.yaml"
    with pytest.raises(ConfigInvalid) as caught:
        parse_config(path.read_text(), file=path.name)
    (problem,) = caught.value.problems
    line = path.read_text().splitlines()[problem.line - 1]
    assert "resolution: 0d" in line
    assert str(problem).startswith(f"{path.name}:{problem.line}: categories[0].sla.resolution")


def test_slug_must_match_the_file_name(tmp_path):
    path = tmp_path / "kotalain.yaml"
    path.write_text((FIXTURES / "kotacontoh.yaml").read_text())
    with pytest.raises(ConfigInvalid) as caught:
        load_config(path)
    assert [(p.path, p.file) for p in caught.value.problems] == [("slug", str(path))]


def test_json_schema_for_editors_is_up_to_date():
    from onboarding.management.commands.config_schema import SCHEMA_PATH, render_schema

    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), (
        "tenant_configs/city-config.schema.json is stale: run manage.py config_schema"
    )
