"""While a city is suspended (docs/billing.md): emergency reports and tracking
still work; everything else answers 503 "layanan ditangguhkan"; data is kept."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from kanal.errors import Unavailable
from reports.models import Report
from tenants.suspension import resume_city, suspend_city
from tests.api.conftest import Api, document

PANGKALPINANG = (-2.1265, 106.1140)


@pytest.fixture
def suspended(cities):
    """Pangkalpinang suspended by vendor staff."""
    cache.clear()  # the API's rate limits
    city = cities["pangkalpinang"]
    suspend_city(city, kind="manual", note="uji kebijakan", actor="pytest")
    return city


def test_an_emergency_report_is_taken_while_suspended(suspended, world):
    pangkal = world("pangkalpinang")
    submission = pangkal.submit(
        category_code="kebakaran", description="Kebakaran rumah warga di dekat pasar."
    )
    assert submission.created and submission.report.category.emergency


def test_a_non_emergency_report_is_refused_while_suspended(suspended, world):
    pangkal = world("pangkalpinang")
    before = Report.objects.count()
    with pytest.raises(Unavailable) as refused:
        pangkal.submit(category_code="jalan-rusak")
    assert refused.value.code == "CITY_SUSPENDED"
    assert refused.value.field == "categoryCode"
    assert "darurat" in refused.value.message_in("id")
    assert Report.objects.count() == before


def test_reports_are_taken_again_once_resumed(suspended, world):
    resume_city(suspended, note="selesai", actor="pytest")
    assert world("pangkalpinang").submit(category_code="jalan-rusak").created


def test_site_admin_and_graphql_ide_answer_503_while_suspended(suspended):
    browser = Client(HTTP_HOST="pangkalpinang.localhost")
    for path in ("/", "/admin/", "/peringkat/"):
        response = browser.get(path)
        assert response.status_code == 503, path
        assert "Layanan ditangguhkan" in response.content.decode()
    ide = browser.get("/graphql/")
    assert ide.status_code == 503 and ide.json()["error"]["code"] == "CITY_SUSPENDED"


def test_the_api_reports_emergencies_and_tracks_reports_while_suspended(cities, world):
    cache.clear()
    earlier = world("pangkalpinang").submit(category_code="jalan-rusak").report.tracking_code
    connection.set_schema_to_public()
    suspend_city(cities["pangkalpinang"], kind="billing", note="uji", actor="pytest")
    app = Api("pangkalpinang")
    assert app.op("Categories")["data"]["categories"]
    tracked = app.op("TrackReport", {"trackingCode": earlier})["data"]["report"]
    assert tracked["trackingCode"] == earlier
    lat, lon = PANGKALPINANG
    submit = {
        "categoryCode": "kebakaran",
        "description": "Kebakaran gudang di tepi jalan.",
        "latitude": lat,
        "longitude": lon,
        "channel": "app",
        "anonymous": True,
    }
    fire = app.op("SubmitReport", {"input": submit})["data"]["submitReport"]
    assert fire["errors"] == [] and fire["created"]
    pothole = app.op("SubmitReport", {"input": {**submit, "categoryCode": "jalan-rusak"}})
    errors = pothole["data"]["submitReport"]["errors"]
    assert [e["code"] for e in errors] == ["CITY_SUSPENDED"]


@pytest.mark.parametrize(
    ("operation", "variables"),
    [
        ("ReportQueue", {"kind": "TRIAGE"}),
        ("AcknowledgeReport", {"trackingCode": "X"}),
        ("StaffLogin", {"username": "a", "password": "b"}),
    ],
)
def test_other_api_operations_answer_503_while_suspended(suspended, operation, variables):
    response = Api("pangkalpinang").raw(document(operation), variables)
    assert response.status_code == 503
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "CITY_SUSPENDED"
    assert "ditangguhkan" in error["message"]


def test_a_query_mixing_allowed_and_other_fields_is_refused(suspended):
    query = "query { categories { code } opds { code } }"
    assert Api("pangkalpinang").raw(query).status_code == 503
    via_fragment = "query { ...Q } fragment Q on Query { opds { code } }"
    assert Api("pangkalpinang").raw(via_fragment).status_code == 503


def test_open311_discovery_stays_available_while_suspended(suspended):
    response = Client(HTTP_HOST="pangkalpinang.localhost").get("/open311/v2/services.json")
    assert response.status_code == 200
    assert any(service["service_code"] == "kebakaran" for service in json.loads(response.content))


def test_an_active_city_is_unaffected(cities):
    cache.clear()
    api = Api("serang")
    assert api.raw(document("ReportQueue"), {"kind": "TRIAGE"}).status_code == 200
    assert Client(HTTP_HOST="serang.localhost").get("/").status_code == 200
