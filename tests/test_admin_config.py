"""Issue 12 item 13: an admin edit of a city's config is checked by the same
config model the YAML uses; a bad value is an error next to its field, never
a 500 and never saved (one bad policy would break every later submission)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from cityconfig.models import CityProfile, ConfigRevision, SlaRule
from tests.test_admin_security import make_staff

JSON_FIELDS = (
    "identity",
    "domains",
    "branding",
    "channels",
    "features",
    "priorities",
    "territorial_opds",
    "sla_policy",
    "calendar",
    "verification",
    "ranking",
    "boundary",
)


@pytest.fixture
def admin_client(cities):
    city = cities["mataram"]
    make_staff(city, "diskominfo-form")
    browser = Client(HTTP_HOST="mataram.localhost")
    response = browser.post(
        "/admin/login/", {"username": "diskominfo-form", "password": "pw-Kanal-123", "next": "/"}
    )
    assert response.status_code == 302
    connection.set_tenant(city)
    return browser


def profile_form(profile: CityProfile, **changes) -> dict:
    data = {name: json.dumps(getattr(profile, name)) for name in JSON_FIELDS}
    data["default_opd"] = str(profile.default_opd_id)
    data.update(changes)
    return data


def test_a_bad_verification_policy_is_a_field_error_and_is_not_saved(admin_client):
    profile = CityProfile.load()
    before = dict(profile.verification)
    url = f"/admin/cityconfig/cityprofile/{profile.pk}/raw/"  # superusers; console: tests/console
    bad = {**before, "max_photo_age": "2 jam", "misspelt_key": True}
    response = admin_client.post(url, profile_form(profile, verification=json.dumps(bad)))
    assert response.status_code == 200  # the form again, not a 500
    errors = response.context["adminform"].form.errors
    assert "verification" in errors
    text = " ".join(errors["verification"])
    assert "verification.max_photo_age" in text and "duration" in text
    assert "misspelt_key" in text
    assert CityProfile.load().verification == before


def test_nul_in_a_profile_section_is_refused(admin_client):
    profile = CityProfile.load()
    name = profile.identity["name"]
    identity = {**profile.identity, "name": "Mata\u0000ram"}
    url = f"/admin/cityconfig/cityprofile/{profile.pk}/raw/"  # superusers; console: tests/console
    response = admin_client.post(url, profile_form(profile, identity=json.dumps(identity)))
    assert response.status_code == 200
    assert "NUL" in " ".join(response.context["adminform"].form.errors["identity"])
    assert CityProfile.load().identity["name"] == name


def test_a_good_profile_edit_is_saved_and_recorded(admin_client):
    profile = CityProfile.load()
    revisions = ConfigRevision.objects.count()
    verification = {**profile.verification, "max_photo_age": "48h"}
    url = f"/admin/cityconfig/cityprofile/{profile.pk}/raw/"  # superusers; console: tests/console
    response = admin_client.post(url, profile_form(profile, verification=json.dumps(verification)))
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    assert CityProfile.load().verification["max_photo_age"] == "48h"
    assert ConfigRevision.objects.count() == revisions + 1


def test_an_sla_target_typed_as_2_jam_is_saved_as_2h_and_garbage_is_a_field_error(admin_client):
    """Issue 16: "2 jam" is how people type it; the config keeps "2h"."""
    rule = (
        SlaRule.objects.active().filter(category__isnull=False).select_related("category").first()
    )
    url = f"/admin/cityconfig/slarule/{rule.pk}/change/"
    data = {
        "category": str(rule.category_id),
        "priority": rule.priority,
        "response": "2 jam",
        "resolution": rule.resolution,
        "clock": rule.clock,
        "active": "on",
        "position": str(getattr(rule, "position", 0)),
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert rule.response == "2h"

    response = admin_client.post(url, {**data, "response": "dua jam"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "response" in errors, errors
    assert "2 jam" in " ".join(errors["response"])  # says which format it wants
    rule.refresh_from_db()
    assert rule.response == "2h"
