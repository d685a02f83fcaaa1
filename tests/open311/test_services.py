"""Discovery, the service list and service definitions, in JSON and XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.open311.conftest import api


def test_services_list_kotacontoh_categories_in_json(cities):
    response = api("kotacontoh").get("/open311/v2/services.json")
    assert response.status_code == 200
    services = {s["service_code"]: s for s in response.json()}
    assert set(services) == {"jalan-rusak", "sampah", "pungli"}
    assert services["jalan-rusak"] == {
        "service_code": "jalan-rusak",
        "service_name": "Jalan Rusak",
        "description": "Jalan Rusak",
        "metadata": False,
        "type": "realtime",
        "keywords": "Damaged Road, Infrastruktur, Infrastructure",
        "group": "Infrastruktur",
    }


def test_services_list_in_xml_parses_with_the_same_content(cities):
    response = api("kotacontoh").get("/open311/v2/services.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    by_code = {s.findtext("service_code"): s for s in root.findall("service")}
    assert set(by_code) == {"jalan-rusak", "sampah", "pungli"}
    sampah = by_code["sampah"]
    assert sampah.findtext("service_name") == "Sampah"
    assert sampah.findtext("group") == "Lingkungan"
    assert sampah.findtext("metadata") == "false"
    assert sampah.findtext("type") == "realtime"


def test_each_city_lists_its_own_services(cities):
    mataram = {s["service_code"] for s in api("mataram").get("/open311/v2/services.json").json()}
    contoh = {s["service_code"] for s in api("kotacontoh").get("/open311/v2/services.json").json()}
    assert mataram and mataram != contoh


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_points_to_the_city_host(cities, fmt):
    response = api("mataram").get(f"/open311/v2/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        document = response.json()
        endpoint = document["endpoints"][0]
        assert endpoint["url"] == "http://mataram.localhost/open311/v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert document["changeset"].endswith("+08:00")
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "discovery"
        assert root.findtext("endpoints/endpoint/url") == "http://mataram.localhost/open311/v2"
        assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
            "text/xml",
            "application/json",
        ]


def test_service_definition_is_empty_but_well_formed(cities):
    client = api("kotacontoh")
    assert client.get("/open311/v2/services/jalan-rusak.json").json() == {
        "service_code": "jalan-rusak",
        "attributes": [],
    }
    root = ET.fromstring(client.get("/open311/v2/services/jalan-rusak.xml").content)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "jalan-rusak"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_definition_is_a_404_error_array(cities, fmt):
    response = api("kotacontoh").get(f"/open311/v2/services/banjir-lahar.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json() == [
            {"code": 404, "description": "Unknown service_code 'banjir-lahar'."}
        ]
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/services.html",
        "/open311/v2/discovery.yaml",
        "/open311/v2/requests",
        "/open311/v2/unknown.json",
    ],
)
def test_unknown_formats_and_resources_are_404_error_arrays(cities, path):
    response = api("kotacontoh").get(path)
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404


def test_wrong_method_is_405(cities):
    response = api("kotacontoh").post("/open311/v2/services.json")
    assert response.status_code == 405
    assert response.json()[0]["code"] == 405
