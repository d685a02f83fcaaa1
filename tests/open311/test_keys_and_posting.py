"""API keys per city, refusals, the channel switch and POST validation."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from cityconfig.models import CityProfile
from open311.keys import key_digest, revoke_key
from open311.models import Open311ApiKey
from people.models import Citizen
from reports.models import Report
from tests.open311.conftest import api, enable_open311, photo_upload, post_form


@pytest.mark.isolation
def test_mataram_key_is_refused_on_pangkalpinang_host(cities, open311_key):
    enable_open311(cities["pangkalpinang"])
    mataram_key = open311_key("mataram")
    response = api("pangkalpinang").post(
        "/open311/v2/requests.json", post_form("pangkalpinang", mataram_key)
    )
    assert response.status_code == 403
    assert response.json() == [
        {"code": 403, "description": "api_key: This api_key was issued by another city."}
    ]
    # Even relabelled for Pangkalpinang the key is unknown there: keys live in each city's schema.
    relabelled = mataram_key.replace("o311_mataram_", "o311_pangkalpinang_")
    response = api("pangkalpinang").post(
        "/open311/v2/requests.json", post_form("pangkalpinang", relabelled)
    )
    assert response.status_code == 403
    assert response.json()[0]["description"] == "api_key: Invalid api_key."
    connection.set_tenant(cities["pangkalpinang"])
    assert not Report.objects.filter(channel="open311").exists()


def test_revoked_key_is_refused(cities, open311_key):
    enable_open311(cities["kotacontoh"])
    key = open311_key("kotacontoh")
    revoke_key(Open311ApiKey.objects.get(key_sha256=key_digest(key)))
    response = api("kotacontoh").post(
        "/open311/v2/requests.json", post_form("kotacontoh", key, media=photo_upload())
    )
    assert response.status_code == 403
    assert "revoked" in response.json()[0]["description"]


@pytest.mark.parametrize("key", ["", "rahasia", "o311_kotacontoh_tebakan"])
def test_missing_or_unknown_key_is_403(cities, key):
    enable_open311(cities["kotacontoh"])
    response = api("kotacontoh").post("/open311/v2/requests.json", post_form("kotacontoh", key))
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403


def test_channel_not_enabled_is_a_clear_400(cities, open311_key):
    key = open311_key("kotacontoh")  # kotacontoh.yaml does not list open311
    assert "open311" not in CityProfile.load().channels
    response = api("kotacontoh").post(
        "/open311/v2/requests.json", post_form("kotacontoh", key, media=photo_upload())
    )
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400
    assert "channel not enabled" in error["description"]
    connection.set_tenant(cities["kotacontoh"])
    assert not Report.objects.filter(channel="open311").exists()


def test_city_without_anonymous_reports_asks_for_a_phone(cities, open311_key):
    enable_open311(cities["jakarta"])  # jakarta.yaml: anonymous_reports: false
    key = open311_key("jakarta")
    lat, lon = -6.1815, 106.8283
    form = {**post_form("jakarta", key), "lat": str(lat), "long": str(lon)}
    response = api("jakarta").post("/open311/v2/requests.json", form)
    assert response.status_code == 400
    assert response.json()[0]["description"] == (
        "phone: This city does not accept anonymous reports; sign in with your phone."
    )


def test_a_phone_number_does_not_lift_anonymous_reports_off(cities, open311_key):
    """Whoever holds an API key can type any number: it is not a sign-in."""
    enable_open311(cities["jakarta"])
    key = open311_key("jakarta")
    form = {
        **post_form("jakarta", key, phone="0812-3456-7009"),
        "lat": "-6.1815",
        "long": "106.8283",
    }
    response = api("jakarta").post("/open311/v2/requests.json", form)
    assert response.status_code == 400
    assert "does not accept anonymous reports" in response.json()[0]["description"]
    connection.set_tenant(cities["jakarta"])
    assert not Citizen.objects.filter(phone="+6281234567009").exists()
    assert not Report.objects.filter(channel="open311").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": "banjir-lahar"}, "service_code: Category 'banjir-lahar' does not exist"),
        ({"service_code": ""}, "service_code: service_code is required."),
        ({"lat": "utara"}, "lat: lat must be a decimal number."),
        ({"lat": "", "long": "", "address_string": "Jl. Pasar 1"}, "no geocoding"),
        ({"lat": "95"}, "lat: The latitude must be between -90 and 90."),
        ({"description": "Rusak"}, "description: The description must be 10–5000 characters."),
        ({"phone": "12"}, "phone: The phone number is not valid."),
        ({"request_token": "a/b"}, "request_token: "),
    ],
)
def test_bad_posts_are_400_with_the_open311_field(cities, open311_key, fields, message):
    enable_open311(cities["kotacontoh"])
    key = open311_key("kotacontoh")
    form = post_form("kotacontoh", key, **{"service_code": "pungli", **fields})
    response = api("kotacontoh").post("/open311/v2/requests.json", form)
    assert response.status_code == 400, response.content
    assert message in response.json()[0]["description"]


def test_photo_required_points_at_the_media_field_when_only_media_url_is_sent(cities, open311_key):
    enable_open311(cities["kotacontoh"])
    key = open311_key("kotacontoh")
    form = post_form("kotacontoh", key, media_url="https://example.com/lubang.jpg")
    response = api("kotacontoh").post("/open311/v2/requests.json", form)
    assert response.status_code == 400
    description = response.json()[0]["description"]
    assert description.startswith("media: A Damaged Road report needs a photo.")
    assert "media_url is not fetched" in description


def test_not_a_photo_is_a_400_on_media(cities, open311_key):
    enable_open311(cities["kotacontoh"])
    key = open311_key("kotacontoh")
    from django.core.files.uploadedfile import SimpleUploadedFile

    junk = SimpleUploadedFile("foto.jpg", b"bukan foto", content_type="image/jpeg")
    response = api("kotacontoh").post(
        "/open311/v2/requests.json", post_form("kotacontoh", key, media=junk)
    )
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("media: ")


def test_unknown_token_is_404(cities):
    response = api("kotacontoh").get("/open311/v2/tokens/tidak-ada.json")
    assert response.status_code == 404


def test_issue_command_prints_the_key_once_and_stores_only_its_hash(cities):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "issue_open311_key",
        "--city",
        "kotacontoh",
        "--name",
        "Aplikasi Warga",
        stdout=out,
        stderr=err,
    )
    key = out.getvalue().strip()
    assert key.startswith("o311_kotacontoh_")
    connection.set_tenant(cities["kotacontoh"])
    stored = Open311ApiKey.objects.get(name="Aplikasi Warga")
    assert stored.key_sha256 == key_digest(key) and key not in str(stored.__dict__)
    assert stored.prefix in err.getvalue()
    enable_open311(cities["kotacontoh"])
    response = api("kotacontoh").post(
        "/open311/v2/requests.json", post_form("kotacontoh", key, media=photo_upload())
    )
    assert response.status_code == 200, response.content
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_issue_command_refuses_an_unknown_city(cities):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="atlantis"):
        call_command("issue_open311_key", "--city", "atlantis", "--name", "X")


def test_admin_issues_a_key_shown_once_and_revokes_it(cities):
    connection.set_tenant(cities["kotacontoh"])
    admin = get_user_model().objects.create_superuser("diskominfo", password="kata-sandi-panjang")
    browser = api("kotacontoh")
    browser.force_login(admin)
    page = browser.post("/admin/open311/open311apikey/add/", {"name": "Aplikasi Kelurahan"})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    connection.set_tenant(cities["kotacontoh"])
    stored = Open311ApiKey.objects.get(name="Aplikasi Kelurahan")
    html = page.content.decode()
    key = html.split("<code", 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert key_digest(key) == stored.key_sha256
    assert (
        key not in browser.get(f"/admin/open311/open311apikey/{stored.pk}/change/").content.decode()
    )

    browser.post(
        "/admin/open311/open311apikey/",
        {"action": "revoke", "_selected_action": [stored.pk]},
    )
    connection.set_tenant(cities["kotacontoh"])
    stored.refresh_from_db()
    assert stored.revoked_at is not None
