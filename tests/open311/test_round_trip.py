"""An Open311 client posting a report with a photo and reading it back, over HTTP."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from django.db import connection
from PIL import Image

from people.models import Citizen
from reports.models import Report
from tests.open311.conftest import api, enable_open311, photo_upload, post_form

TRACKING_CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$")


def test_open311_post_with_photo_then_get_it_back_in_kotacontoh(cities, open311_key):
    enable_open311(cities["kotacontoh"])
    key = open311_key("kotacontoh")
    client = api("kotacontoh")

    response = client.post(
        "/open311/v2/requests.json",
        post_form(
            "kotacontoh",
            key,
            phone="0812-3456-7001",
            first_name="Siti",
            last_name="Aminah",
            address_string="Jl. Pasar No. 1",
            request_token="app-7f3a",
            media=photo_upload(),
        ),
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    [created] = response.json()
    code = created["service_request_id"]
    assert TRACKING_CODE.match(code)
    assert created["account_id"] is None
    assert "Bidang Bina Marga" in created["service_notice"]  # verified and routed

    connection.set_tenant(cities["kotacontoh"])
    report = Report.objects.get(tracking_code=code)
    assert report.channel == "open311"
    # The number is an unverified contact, never a signed-in citizen (issue 12).
    assert report.reporter is None
    assert report.contact_phone == "+6281234567001"
    assert not Citizen.objects.filter(phone="+6281234567001").exists()
    assert report.contact_name == "Siti Aminah"
    assert report.photos.count() == 1

    [item] = client.get(f"/open311/v2/requests/{code}.json").json()
    assert item["service_request_id"] == code
    assert item["status"] == "open"
    assert item["service_code"] == "jalan-rusak"
    assert item["service_name"] == "Jalan Rusak"
    assert item["agency_responsible"] == "Bidang Bina Marga"
    assert item["address"] == "Jl. Pasar No. 1"
    assert item["lat"] == -8.58 and item["long"] == 116.1
    assert item["requested_datetime"].endswith("+08:00")  # WITA
    assert item["expected_datetime"].endswith("+08:00")  # the SLA resolution due time
    assert item["media_url"] == f"http://kotacontoh.localhost/open311/media/{code}/0.jpg"
    assert "Siti" not in str(item) and "6281234567001" not in str(item)

    photo = client.get(urlsplit(item["media_url"]).path)
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(photo.streaming_content)))
    assert 0x8825 not in image.getexif()  # the public copy carries no GPS

    listed = client.get("/open311/v2/requests.json").json()
    assert code in [r["service_request_id"] for r in listed]

    xml = ET.fromstring(client.get(f"/open311/v2/requests/{code}.xml").content)
    assert xml.tag == "service_requests"
    assert xml.find("request/service_request_id").text == code
    assert xml.find("request/status").text == "open"

    tokens = client.get("/open311/v2/tokens/app-7f3a.json")
    assert tokens.json() == [{"service_request_id": code, "token": "app-7f3a"}]


def test_posting_again_with_the_same_request_token_returns_the_same_request(cities, open311_key):
    enable_open311(cities["kotacontoh"])
    key = open311_key("kotacontoh")
    form = post_form("kotacontoh", key, phone="081234567002", request_token="retry-1")
    first = api("kotacontoh").post("/open311/v2/requests.json", {**form, "media": photo_upload()})
    again = api("kotacontoh").post("/open311/v2/requests.json", {**form, "media": photo_upload()})
    assert first.status_code == again.status_code == 200
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    connection.set_tenant(cities["kotacontoh"])
    assert Report.objects.filter(channel="open311").count() == 1


def test_post_answers_xml_when_asked(cities, open311_key):
    enable_open311(cities["kotacontoh"])
    key = open311_key("kotacontoh")
    response = api("kotacontoh").post(
        "/open311/v2/requests.xml",
        post_form("kotacontoh", key, service_code="pungli", description="Pungutan parkir liar."),
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)
    assert TRACKING_CODE.match(root.find("request/service_request_id").text)
    assert root.find("request/account_id").text is None
