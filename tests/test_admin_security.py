"""Staff sign-in: throttled after repeated failures, two-factor where enabled,
and one city's admins see only their own city."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from people.models import StaffRole
from tests.api.conftest import Api


def make_staff(city, username: str, *, superuser: bool = True):
    connection.set_tenant(city)
    users = get_user_model()
    user = (users.objects.create_superuser if superuser else users.objects.create_user)(
        username, f"{username}@x.test", "pw-Kanal-123"
    )
    user.is_staff = True
    user.save()
    connection.set_schema_to_public()
    return user


def login(city, username: str, password: str, **extra) -> int:
    browser = Client(HTTP_HOST=f"{city.slug}.localhost")
    response = browser.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/", **extra}
    )
    return response.status_code


def test_repeated_wrong_passwords_lock_the_account(cities):
    city = cities["serang"]
    make_staff(city, "ops-serang")
    answers = [login(city, "ops-serang", "salah") for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks
    assert login(city, "ops-serang", "pw-Kanal-123") == 429  # even the right password


def test_two_factor_is_required_when_enabled(cities, settings):
    settings.KANAL_ADMIN_2FA = True
    city = cities["mataram"]
    user = make_staff(city, "diskominfo-2fa")
    assert login(city, "diskominfo-2fa", "pw-Kanal-123") == 200  # no device: refused
    connection.set_tenant(city)
    device = TOTPDevice.objects.create(user=user, name="HP", confirmed=True)
    connection.set_schema_to_public()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert (
        login(
            city, "diskominfo-2fa", "pw-Kanal-123", otp_device=device.persistent_id, otp_token=code
        )
        == 302
    )


def test_staff_app_login_needs_the_authenticator_code_when_enabled(cities, settings):
    settings.KANAL_ADMIN_2FA = True
    city = cities["mataram"]
    user = make_staff(city, "petugas-2fa", superuser=False)
    connection.set_tenant(city)
    StaffRole.objects.create(user=user, role="operator")  # the apps need a role (people.staff)
    connection.set_schema_to_public()
    api = Api("mataram")
    refused = api.op("StaffLogin", {"username": "petugas-2fa", "password": "pw-Kanal-123"})
    assert refused["data"]["staffLogin"]["errors"][0]["code"] == "TWO_FACTOR_NOT_SET_UP"
    connection.set_tenant(city)
    device = TOTPDevice.objects.create(user=user, name="HP", confirmed=True)
    connection.set_schema_to_public()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    ok = api.op(
        "StaffLogin", {"username": "petugas-2fa", "password": "pw-Kanal-123", "otpCode": code}
    )
    assert ok["data"]["staffLogin"]["token"].startswith("knl_mataram_")
    # A wrong code is refused (and django-otp then throttles the device briefly).
    wrong = api.op(
        "StaffLogin", {"username": "petugas-2fa", "password": "pw-Kanal-123", "otpCode": "000000"}
    )
    assert wrong["data"]["staffLogin"]["errors"][0]["code"] == "TWO_FACTOR_REQUIRED"


@pytest.mark.isolation
def test_a_mataram_admin_cannot_sign_in_to_serang(cities):
    make_staff(cities["mataram"], "admin-mataram")
    assert login(cities["mataram"], "admin-mataram", "pw-Kanal-123") == 302
    assert login(cities["serang"], "admin-mataram", "pw-Kanal-123") == 200  # unknown there


def test_city_admin_sees_city_screens_and_vendor_admin_sees_vendor_screens(cities):
    make_staff(cities["serang"], "admin-serang-screens")
    city = Client(HTTP_HOST="serang.localhost")
    city.post(
        "/admin/login/",
        {"username": "admin-serang-screens", "password": "pw-Kanal-123", "next": "/admin/"},
    )
    index = city.get("/admin/").content.decode()
    assert "/admin/reports/report/" in index
    assert "/admin/tenants/city/" not in index
    assert city.get("/admin/tenants/city/").status_code in (403, 404)

    connection.set_schema_to_public()
    get_user_model().objects.create_superuser("vendor-screens", "v@x.test", "pw-Kanal-123")
    vendor = Client(HTTP_HOST="localhost")
    vendor.post(
        "/admin/login/",
        {"username": "vendor-screens", "password": "pw-Kanal-123", "next": "/admin/"},
    )
    index = vendor.get("/admin/").content.decode()
    assert "/admin/tenants/city/" in index
    assert "/admin/reports/report/" not in index
    assert vendor.get("/admin/reports/report/").status_code in (403, 404)
