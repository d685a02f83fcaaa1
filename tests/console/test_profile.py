"""Issue 16 tasks 1 and 6: the city profile's section screens in the console.

Each section is a form of labelled fields; a good save is one recorded
revision, a bad one a field error with nothing saved, never a 500; an
uploaded logo is checked and served only by its own city's host.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from cityconfig.models import CityProfile, ConfigRevision
from people.models import Role, StaffRole
from reports.verdict_stats import verdict_stats
from tenants.models import City
from tests.test_admin_security import make_staff

BASE = "/admin/cityconfig/cityprofile/section"


@pytest.fixture
def console(cities):
    city = cities["mataram"]
    # A Diskominfo admin as the console makes one: staff with the config permissions, no superuser.
    user = make_staff(city, "diskominfo-profile", superuser=False)
    connection.set_tenant(city)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="cityconfig"))
    StaffRole.objects.create(user=user, role=Role.DISKOMINFO_ADMIN)
    connection.set_schema_to_public()
    browser = Client(HTTP_HOST="mataram.localhost")
    response = browser.post(
        "/admin/login/", {"username": "diskominfo-profile", "password": "pw-Kanal-123", "next": "/"}
    )
    assert response.status_code == 302
    connection.set_tenant(city)
    return browser


def form_data(response, *, formsets=()) -> dict:
    """What the browser would post back: the form's initial values."""
    context = response.context
    data = {}
    form = context["form"]
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or name == "logo":
            continue
        data[name] = "on" if value is True else value
    for key in formsets:
        formset = context[key]
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if value not in (None, ""):
                    data[row.add_prefix(name)] = value
    return data


def png(size=(64, 64), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def test_the_profile_page_is_an_overview_of_sections(console):
    profile = CityProfile.load()
    response = console.get(f"/admin/cityconfig/cityprofile/{profile.pk}/change/")
    assert response.status_code == 200
    text = response.content.decode()
    for section in ("identity", "branding", "channels", "verification"):
        assert f"{BASE}/{section}/" in text
    assert "raw" not in text  # the JSON form is for superusers only
    assert console.get(f"/admin/cityconfig/cityprofile/{profile.pk}/raw/").status_code == 403


def test_identity_edit_is_recorded_and_renames_the_city_row(console):
    page = console.get(f"{BASE}/identity/")
    assert page.status_code == 200
    data = form_data(page, formsets=["numbers"])
    data.update(
        {
            "official_name": "Pemerintah Kota Mataram Baru",
            "emergency-1-name_id": "Pemadam kebakaran",
            "emergency-1-name_en": "Fire brigade",
            "emergency-1-number": "113",
        }
    )
    revisions = ConfigRevision.objects.count()
    response = console.post(f"{BASE}/identity/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    profile = CityProfile.load()
    assert profile.identity["official_name"] == "Pemerintah Kota Mataram Baru"
    assert {"name": {"id": "Pemadam kebakaran", "en": "Fire brigade"}, "number": "113"} in (
        profile.branding["support"]["emergency"]
    )
    assert ConfigRevision.objects.count() == revisions + 1
    assert City.objects.get(slug="mataram").official_name == "Pemerintah Kota Mataram Baru"


def test_nul_in_the_city_name_is_a_field_error(console):
    page = console.get(f"{BASE}/identity/")
    name = CityProfile.load().identity["name"]
    data = {**form_data(page, formsets=["numbers"]), "name": "Mata\u0000ram"}
    response = console.post(f"{BASE}/identity/", data)
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert CityProfile.load().identity["name"] == name


def test_an_emergency_number_with_letters_is_a_field_error(console):
    page = console.get(f"{BASE}/identity/")
    data = form_data(page, formsets=["numbers"])
    data.update(
        {"emergency-1-name_id": "Ambulans", "emergency-1-name_en": "", "emergency-1-number": "satu"}
    )
    response = console.post(f"{BASE}/identity/", data)
    assert response.status_code == 200
    row = response.context["numbers"].forms[1]
    assert "number" in row.errors and "name_en" in row.errors


def test_branding_colour_typed_short_is_saved_normalised(console):
    page = console.get(f"{BASE}/branding/")
    data = {**form_data(page), "color_primary": "c03"}
    response = console.post(f"{BASE}/branding/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert CityProfile.load().branding["colors"]["primary"] == "#CC0033"


def test_a_bad_colour_is_a_field_error_and_not_saved(console):
    before = CityProfile.load().branding["colors"]
    page = console.get(f"{BASE}/branding/")
    response = console.post(f"{BASE}/branding/", {**form_data(page), "color_primary": "hijau"})
    assert response.status_code == 200
    assert "color_primary" in response.context["form"].errors
    assert CityProfile.load().branding["colors"] == before


def test_a_tagline_only_in_indonesian_is_a_field_error(console):
    page = console.get(f"{BASE}/branding/")
    data = {**form_data(page), "tagline_id": "Lapor cepat", "tagline_en": ""}
    response = console.post(f"{BASE}/branding/", data)
    assert response.status_code == 200
    assert "tagline_en" in response.context["form"].errors


@pytest.mark.parametrize(
    "upload, reason",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (b"not an image at all" * 10, "bukan gambar"),
        (png((8, 8)), "piksel"),
        (b"\x89PNG" + b"0" * (1024 * 1024 + 10), "KB"),
    ],
    ids=["svg", "not-an-image", "too-small", "too-big"],
)
def test_a_bad_logo_is_refused_next_to_the_field(console, upload, reason):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = CityProfile.load().branding["logo"]
    page = console.get(f"{BASE}/branding/")
    data = {**form_data(page), "logo": SimpleUploadedFile("logo.png", upload, "image/png")}
    response = console.post(f"{BASE}/branding/", data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("logo", []))
    assert reason in errors, errors
    assert CityProfile.load().branding["logo"] == before


def test_an_uploaded_logo_is_served_by_its_city_only(console, cities):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = console.get(f"{BASE}/branding/")
    data = {
        **form_data(page),
        "logo": SimpleUploadedFile("l.jpg", png((120, 80), "JPEG"), "image/jpeg"),
    }
    response = console.post(f"{BASE}/branding/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    logo = CityProfile.load().branding["logo"]
    assert logo.startswith("upload:branding/logo-")
    served = Client(HTTP_HOST="mataram.localhost").get("/config/logo")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    body = b"".join(served.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (120, 80)
    # Serang's host serves Serang's own logo, never Mataram's file.
    other = Client(HTTP_HOST="serang.localhost").get("/config/logo")
    assert other.status_code == 200
    assert b"".join(other.streaming_content) != body
    connection.set_tenant(cities["mataram"])


def test_serang_host_refuses_a_mataram_console_session(console):
    session = console.cookies["sessionid"].value
    other = Client(HTTP_HOST="serang.localhost")
    other.cookies["sessionid"] = session
    response = other.get(f"{BASE}/branding/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_channels_need_at_least_one_and_features_save(console):
    page = console.get(f"{BASE}/channels/")
    data = form_data(page)
    response = console.post(f"{BASE}/channels/", {k: v for k, v in data.items() if k != "channels"})
    assert response.status_code == 200
    assert "channels" in response.context["form"].errors
    data.pop("public_feed", None)
    response = console.post(f"{BASE}/channels/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert CityProfile.load().features["public_feed"] is False


def test_disabling_a_channel_with_an_override_is_a_field_error(console):
    before = CityProfile.load().channels
    page = console.get(f"{BASE}/channels/")
    data = form_data(page)
    data["channels"] = [c for c in data["channels"] if c != "whatsapp"]
    response = console.post(f"{BASE}/channels/", data)
    assert response.status_code == 200
    assert "whatsapp" in " ".join(response.context["form"].errors["channels"])
    assert CityProfile.load().channels == before


def test_a_bad_verification_value_is_a_field_error_and_not_saved(console):
    before = dict(CityProfile.load().verification)
    page = console.get(f"{BASE}/verification/")
    assert "Foto yang diambil lebih lama dari ini ditolak" in page.content.decode()
    data = {
        **form_data(page, formsets=["overrides"]),
        "max_photo_age": "kemarin",
        "max_gps_distance_m": "-5",
    }
    response = console.post(f"{BASE}/verification/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "max_photo_age" in errors and "max_gps_distance_m" in errors
    assert CityProfile.load().verification == before


def test_a_good_verification_edit_is_saved_and_recorded(console):
    page = console.get(f"{BASE}/verification/")
    data = {**form_data(page, formsets=["overrides"]), "max_photo_age": "48h"}
    revisions = ConfigRevision.objects.count()
    response = console.post(f"{BASE}/verification/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    saved = CityProfile.load().verification
    assert saved["max_photo_age"] == "48h"
    assert saved["channels"]["whatsapp"] == {"missing_exif": "pass", "missing_gps": "warn"}
    assert ConfigRevision.objects.count() == revisions + 1


def test_verdict_stats_count_each_check_and_what_stricter_would_do(cities):
    import secrets

    from cityconfig.models import Category
    from reports.models import Report

    connection.set_tenant(cities["mataram"])

    def make_report(checks):
        return Report.objects.create(
            tracking_code=f"VS-{secrets.token_hex(3).upper()}",
            category=Category.objects.active().first(),
            description="Sampah menumpuk di pinggir jalan.",
            latitude=-8.58,
            longitude=116.10,
            channel="app",
            checks=checks,
        )

    checks = [
        {"name": "inside_city", "result": "pass", "details": {}},
        {"name": "photo_fresh", "result": "warn", "details": {"missing": True}},
        {"name": "photo_fresh[1]", "result": "fail", "details": {"age_minutes": 5000}},
        {"name": "photo_location", "result": "warn", "details": {"missing": True}},
    ]
    before = verdict_stats(30)
    report = make_report(checks=checks)
    old = make_report(checks=checks)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    after = verdict_stats(30)
    assert after.reports == before.reports + 1
    fresh, was = after.checks["photo_fresh"], before.checks.get("photo_fresh")
    assert fresh.warned - (was.warned if was else 0) == 1
    assert fresh.failed - (was.failed if was else 0) == 1
    assert fresh.missing_warned - (was.missing_warned if was else 0) == 1
    assert report.pk
