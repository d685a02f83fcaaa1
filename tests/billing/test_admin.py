"""The vendor's billing admin (public schema) and its city actions."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from tenants.models import City, CityStatus


def vendor_browser() -> Client:
    connection.set_schema_to_public()
    user = get_user_model().objects.create_superuser("vendor-ops", "ops@kanal.test", "pw-Kanal-1")
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(user)
    return browser


def city_action(browser: Client, action: str, city: City, reason: str = ""):
    return browser.post(
        "/admin/tenants/city/",
        {"action": action, "_selected_action": [city.pk], "reason": reason, "index": 0},
    )


def test_vendor_staff_suspend_and_resume_a_city_with_a_reason(cities, city_client):
    browser = vendor_browser()
    city = cities["serang"]
    assert city_action(browser, "suspend", city).status_code == 302
    assert City.objects.get(pk=city.pk).status == CityStatus.ACTIVE  # no reason: refused

    city_action(browser, "suspend", city, "kontrak belum ditandatangani")
    suspended = City.objects.get(pk=city.pk)
    assert suspended.status == CityStatus.SUSPENDED
    assert suspended.status_reason == "manual: kontrak belum ditandatangani"
    assert not suspended.suspended_for_billing
    assert city_client("serang").get("/").status_code == 503
    connection.set_schema_to_public()
    assert LogEntry.objects.filter(object_id=str(city.pk)).count() == 1

    city_action(browser, "resume", city, "kontrak beres")
    resumed = City.objects.get(pk=city.pk)
    assert resumed.status == CityStatus.ACTIVE
    assert "vendor-ops" in resumed.status_reason and "kontrak beres" in resumed.status_reason
    assert city_client("serang").get("/").status_code == 200


def test_billing_screens_are_listed_on_the_vendor_site(cities):
    browser = vendor_browser()
    for model in ("city", "domain", "plan", "subscription", "stripeevent"):
        assert browser.get(f"/admin/tenants/{model}/").status_code == 200, model
    assert browser.get("/admin/tenants/stripeevent/add/").status_code == 403  # read-only
    assert browser.get("/admin/tenants/city/add/").url == "/admin/tenants/city/baru/"  # the wizard


def test_a_citys_admin_never_sees_the_vendors_billing(cities):
    city = cities["mataram"]
    connection.set_tenant(city)
    user = get_user_model().objects.create_superuser("diskominfo-x", "d@x.test", "pw-Kanal-1")
    browser = Client(HTTP_HOST="mataram.localhost")
    browser.force_login(user)  # the session lives in Mataram's schema
    connection.set_schema_to_public()
    index = browser.get("/admin/")
    assert index.status_code == 200
    assert "/admin/tenants/" not in index.content.decode()
    for model in ("city", "subscription", "stripeevent", "plan"):
        assert browser.get(f"/admin/tenants/{model}/").status_code in {403, 404}, model
