"""``manage.py import_areas``: match by code or name, check like the YAML, all
or nothing, --dry-run, one city only."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from shapely.geometry import mapping, shape

from cityconfig.models import Area, ConfigRevision
from tenants.models import City


def boundaries(slug: str) -> dict[str, dict | None]:
    connection.set_tenant(City.objects.get(slug=slug))
    result = dict(Area.objects.values_list("code", "boundary"))
    connection.set_schema_to_public()
    return result


def shrunk(slug: str, code: str, by: float = 0.0002) -> dict:
    connection.set_tenant(City.objects.get(slug=slug))
    geometry = shape(Area.objects.get(code=code).boundary).buffer(-by)
    connection.set_schema_to_public()
    return json.loads(json.dumps(mapping(geometry)))


def geojson(tmp_path, features, name="areas.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return str(path)


def feature(geometry, **properties):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_areas", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[116.07, -8.57], [116.08, -8.58], [116.08, -8.57], [116.07, -8.58], [116.07, -8.57]]
    ],
}


@pytest.mark.django_db
def test_a_good_file_is_imported_by_code_and_by_name(tmp_path, cities):
    before_jakarta = boundaries("jakarta")
    before = boundaries("mataram")
    tengah, pejeruk = shrunk("mataram", "52.71.01.1005"), shrunk("mataram", "52.71.01.1006")
    path = geojson(
        tmp_path,
        [
            feature(tengah, **{"ref:id:kemendagri": "52.71.01.1005", "name": "Ampenan Tengah"}),
            feature(pejeruk, name="  kelurahan PEJERUK ", admin_level="8"),
        ],
    )
    ok, out, err = run("mataram", path)
    assert ok, err
    assert "~ kelurahan 52.71.01.1005 Ampenan Tengah" in out and "52.71.01.1006 Pejeruk" in out
    after = boundaries("mataram")
    assert shape(after["52.71.01.1005"]).equals_exact(shape(tengah), 1e-6)
    assert shape(after["52.71.01.1006"]).equals_exact(shape(pejeruk), 1e-6)
    assert {c: b for c, b in after.items() if c not in ("52.71.01.1005", "52.71.01.1006")} == {
        c: b for c, b in before.items() if c not in ("52.71.01.1005", "52.71.01.1006")
    }
    connection.set_tenant(cities["mataram"])
    revision = ConfigRevision.objects.first()
    assert revision.source == path and {c["key"] for c in revision.changes} == {
        "52.71.01.1005",
        "52.71.01.1006",
    }
    connection.set_schema_to_public()
    # Tenant isolation: Jakarta's areas are untouched.
    assert boundaries("jakarta") == before_jakarta


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path, cities):
    before = boundaries("mataram")
    path = geojson(tmp_path, [feature(shrunk("mataram", "52.71.01.1005"), kode="52.71.01.1005")])
    ok, out, _ = run("mataram", path, "--dry-run")
    assert ok and "--dry-run" in out and "~ kelurahan 52.71.01.1005 Ampenan Tengah" in out
    assert boundaries("mataram") == before


@pytest.mark.django_db
def test_an_ambiguous_name_is_refused_listing_the_codes(tmp_path, cities):
    before = boundaries("jakarta")
    path = geojson(
        tmp_path,
        [
            feature(shrunk("jakarta", "31.71.01.1001"), name="Gambir"),
            feature(shrunk("jakarta", "31.71.01.1002"), kode="31.71.01.1002"),
        ],
    )
    ok, _, err = run("jakarta", path)
    assert not ok
    assert "AREA_AMBIGUOUS" in err and "fitur #1 'Gambir'" in err
    assert "31.71.01, 31.71.01.1001" in err
    assert "tidak ada yang diubah" in err
    assert boundaries("jakarta") == before  # the good feature was not written either


@pytest.mark.django_db
def test_an_invalid_polygon_is_refused_naming_the_feature(tmp_path, cities):
    before = boundaries("mataram")
    path = geojson(
        tmp_path,
        [
            feature(shrunk("mataram", "52.71.01.1006"), kode="52.71.01.1006"),
            feature(BOWTIE, kode="52.71.01.1005", name="Ampenan Tengah"),
        ],
    )
    ok, _, err = run("mataram", path)
    assert not ok
    assert "AREA_BOUNDARY_INVALID" in err
    assert "fitur #2 kode 52.71.01.1005 'Ampenan Tengah'" in err and "Self-intersection" in err
    assert boundaries("mataram") == before


@pytest.mark.django_db
def test_overlapping_kelurahan_and_unmatched_features_are_refused(tmp_path, cities):
    before = boundaries("mataram")
    tengah = shrunk("mataram", "52.71.01.1005", by=-0.003)  # grown into its neighbours
    path = geojson(
        tmp_path,
        [feature(tengah, kode="52.71.01.1005"), feature(BOWTIE, name="Kelurahan Entah")],
    )
    ok, _, err = run("mataram", path)
    assert not ok
    assert "AREA_OVERLAP" in err and "52.71.01.1005" in err
    assert "AREA_NOT_MATCHED" in err and "'Kelurahan Entah'" in err
    assert boundaries("mataram") == before


@pytest.mark.django_db
def test_a_file_for_another_city_is_refused(tmp_path, cities):
    before_mataram, before_jakarta = boundaries("mataram"), boundaries("jakarta")
    jakarta_file = geojson(
        tmp_path,
        [feature(shrunk("jakarta", "31.71.01.1001"), kode="31.71.01.1001", name="Gambir")],
    )
    ok, _, err = run("mataram", jakarta_file)
    assert not ok and "AREA_FILE_WRONG_CITY" in err and "Kota Mataram" in err
    # …and the other way round: Mataram's polygons never land on Jakarta's areas.
    mataram_file = geojson(
        tmp_path,
        [feature(shrunk("mataram", "52.71.01.1005"), kode="52.71.01.1005")],
        name="mataram.geojson",
    )
    ok, _, err = run("jakarta", mataram_file)
    assert not ok and "AREA_FILE_WRONG_CITY" in err
    assert boundaries("mataram") == before_mataram
    assert boundaries("jakarta") == before_jakarta


@pytest.mark.django_db
def test_not_a_feature_collection(tmp_path, cities):
    path = tmp_path / "x.geojson"
    path.write_text("{not json")
    ok, _, err = run("mataram", str(path))
    assert not ok and "GEOJSON_INVALID" in err
    ok, _, err = run("kota-tidak-ada", str(path))
    assert not ok and "tidak ada" in err
