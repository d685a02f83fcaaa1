"""``areas`` with polygons and ``locateArea`` over the GraphQL API (the web
app's area picker contract)."""

from __future__ import annotations

from django.db import connection

from tests.territory.conftest import inside

LOCATE = """query($lat: Float!, $lon: Float!) {
  locateArea(latitude: $lat, longitude: $lon) { code name level parentCode } }"""
AREAS = "query($level: String) { areas(level: $level) { code name level parentCode boundary } }"


def test_locate_area_inside_outside_and_out_of_range(world, api):
    world("mataram")
    lat, lon = inside("52.71.01.1005")
    connection.set_schema_to_public()
    app = api("mataram")
    found = app.raw(LOCATE, {"lat": lat, "lon": lon}).json()
    assert found == {
        "data": {
            "locateArea": {
                "code": "52.71.01.1005",
                "name": "Ampenan Tengah",
                "level": "kelurahan",
                "parentCode": "52.71.01",
            }
        }
    }
    assert app.raw(LOCATE, {"lat": -6.18, "lon": 106.83}).json() == {"data": {"locateArea": None}}
    refused = app.raw(LOCATE, {"lat": 91.0, "lon": 116.1}).json()
    assert refused["data"] == {"locateArea": None}
    assert refused["errors"][0]["extensions"]["code"] == "COORDINATE_OUT_OF_RANGE"
    refused = app.raw(LOCATE, {"lat": -8.5, "lon": -181.0}).json()
    assert refused["errors"][0]["extensions"]["code"] == "COORDINATE_OUT_OF_RANGE"


def test_areas_return_their_boundary_and_parent(world, api):
    world("mataram")
    connection.set_schema_to_public()
    kelurahan = api("mataram").raw(AREAS, {"level": "kelurahan"}).json()["data"]["areas"]
    assert len(kelurahan) == 50
    tengah = next(a for a in kelurahan if a["code"] == "52.71.01.1005")
    assert tengah["parentCode"] == "52.71.01"
    assert tengah["boundary"]["type"] == "Polygon"
    assert all(a["boundary"]["type"] in ("Polygon", "MultiPolygon") for a in kelurahan)
    # A city without polygons answers null, not an empty object.
    pangkal = api("pangkalpinang").raw(AREAS, {"level": "kecamatan"}).json()["data"]["areas"]
    assert pangkal and all(a["boundary"] is None for a in pangkal)
