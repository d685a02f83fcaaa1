"""Area polygons in a city's YAML, checked by the config loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from onboarding.loading import ConfigInvalid, parse_config

CONFIG = Path(__file__).resolve().parents[2] / "tenant_configs" / "mataram.yaml"


def mataram() -> dict:
    return yaml.safe_load(CONFIG.read_text())


def problems(data: dict) -> list[str]:
    with pytest.raises(ConfigInvalid) as caught:
        parse_config(yaml.safe_dump(data), expected_slug="mataram")
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def index(data: dict, code: str) -> int:
    return next(i for i, a in enumerate(data["areas"]) if a["code"] == code)


def test_the_seed_polygons_are_valid():
    config = parse_config(CONFIG.read_text(), expected_slug="mataram")
    assert all(a.boundary is not None for a in config.areas)


def test_overlapping_kelurahan_are_refused_naming_both():
    data = mataram()
    tengah, pejeruk = index(data, "52.71.01.1005"), index(data, "52.71.01.1006")
    data["areas"][pejeruk]["boundary"] = data["areas"][tengah]["boundary"]
    found = problems(data)
    assert any(
        "areas '52.71.01.1005' and '52.71.01.1006' overlap by 100.0%" in p
        and p.startswith(f"areas[{tengah}].boundary")
        for p in found
    ), found


def test_an_invalid_polygon_is_refused_naming_the_area():
    data = mataram()
    tengah = index(data, "52.71.01.1005")
    data["areas"][tengah]["boundary"] = {
        "type": "Polygon",
        "coordinates": [
            [[116.07, -8.57], [116.08, -8.58], [116.08, -8.57], [116.07, -8.58], [116.07, -8.57]]
        ],
    }
    found = problems(data)
    assert any(
        p.startswith(
            f"areas[{tengah}].boundary: the boundary of area '52.71.01.1005' is not a "
            "valid polygon: Self-intersection"
        )
        for p in found
    ), found


def test_a_polygon_outside_the_city_or_its_kecamatan_is_refused():
    data = mataram()
    tengah = index(data, "52.71.01.1005")
    data["areas"][tengah]["boundary"] = {
        "type": "Polygon",
        "coordinates": [[[106.8, -6.2], [106.81, -6.2], [106.81, -6.21], [106.8, -6.2]]],
    }
    assert (
        f"areas[{tengah}].boundary: the boundary of area '52.71.01.1005' lies outside the city "
        "boundary" in problems(data)
    )
    data = mataram()
    sandubaya_kelurahan = index(data, "52.71.06.1002")
    data["areas"][tengah]["boundary"] = data["areas"][sandubaya_kelurahan]["boundary"]
    assert any("lies outside its parent area '52.71.01'" in p for p in problems(data))
