"""Issue 16 task 7: a Diskominfo admin invites staff, gives roles and OPDs,
resets passwords and authenticators and deactivates accounts; "can use the
staff apps" (a role) and "can use the console" (the Diskominfo role) are one
rule each, and nobody has to tick "Status staf"."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from cityconfig.models import Opd
from people import staff
from people.models import Role, StaffRole
from people.staff import RoleGrant
from tests.api.conftest import Api

PASSWORD = "pw-Kanal-123"
INVITE = "/admin/people/staffmember/invite/"


def _console_admin(city, username: str) -> Client:
    connection.set_tenant(city)
    invited = staff.invite_staff(
        name=f"Admin {username}",
        email=f"{username}@x.test",
        username=username,
        roles=[RoleGrant(Role.DISKOMINFO_ADMIN)],
    )
    invited.user.set_password(PASSWORD)
    invited.user.save()
    connection.set_schema_to_public()
    browser = Client(HTTP_HOST=f"{city.slug}.localhost")
    response = browser.post(
        "/admin/login/", {"username": username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


def _login(slug: str, username: str, password: str, language: str = "id") -> dict:
    result = Api(slug, language=language).op(
        "StaffLogin", {"username": username, "password": password}
    )
    return result["data"]["staffLogin"]


def _invite(browser, **fields) -> object:
    data = {
        "name": "",
        "phone": "",
        "email": "",
        "username": "",
        "roles-TOTAL_FORMS": "3",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return browser.post(INVITE, data)


@pytest.fixture
def mataram(cities):
    return cities["mataram"], _console_admin(cities["mataram"], "diskominfo-staff")


def test_an_invited_operator_signs_in_to_the_apps_with_the_temporary_password(mataram):
    city, browser = mataram
    response = _invite(
        browser, name="Budi Santoso", phone="0812-3456-7890", **{"roles-0-role": "operator"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    username = re.search(r'id="new-username">([^<]+)<', page).group(1)
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    assert username == "budi.santoso"
    connection.set_tenant(city)
    user = get_user_model().objects.get(username=username)
    assert user.staff_profile.phone == "+6281234567890"  # normalised like citizens' numbers
    assert not user.is_staff  # no "Status staf" needed, and no console
    assert staff.can_use_staff_apps(user) and not staff.can_use_console(user)
    connection.set_schema_to_public()
    signed_in = _login("mataram", username, password)
    assert signed_in["errors"] == [] and signed_in["token"].startswith("knl_mataram_")


def test_invite_errors_are_next_to_their_fields_and_nothing_is_saved(mataram):
    city, browser = mataram
    response = _invite(browser, name="Siti", phone="12ab", **{"roles-0-role": "opd_responder"})
    assert response.status_code == 200
    form, roles = response.context["form"], response.context["roles"]
    assert "opd" in roles.forms[0].errors  # an OPD role needs its OPD
    response = _invite(browser, name="Siti", phone="12ab", **{"roles-0-role": "operator"})
    assert "phone" in response.context["form"].errors
    response = _invite(browser, name="Siti", **{"roles-0-role": "operator"})
    assert "phone" in response.context["form"].errors  # phone or e-mail, at least one
    response = _invite(browser, name="Siti", email="siti@", **{"roles-0-role": "operator"})
    assert "email" in response.context["form"].errors
    response = _invite(browser, name="Siti", email="siti@kota.go.id")
    assert response.context["roles"].non_form_errors()  # no role at all
    response = _invite(
        browser,
        name="Siti",
        email="s@kota.go.id",
        username="diskominfo-staff",
        **{"roles-0-role": "operator"},
    )
    assert "username" in response.context["form"].errors
    assert form is not None
    connection.set_tenant(city)
    assert not get_user_model().objects.filter(first_name="Siti").exists()


def test_an_opd_responder_gets_the_opd_and_a_console_admin_gets_the_console(mataram):
    city, browser = mataram
    connection.set_tenant(city)
    opd = Opd.objects.filter(active=True).first()
    connection.set_schema_to_public()
    response = _invite(
        browser,
        name="Rina",
        email="rina@kota.go.id",
        **{
            "roles-0-role": "opd_responder",
            "roles-0-opd": str(opd.pk),
            "roles-1-role": "diskominfo_admin",
        },
    )
    assert response.status_code == 200 and "new-password" in response.content.decode()
    connection.set_tenant(city)
    user = get_user_model().objects.get(first_name="Rina")
    assert set(StaffRole.objects.filter(user=user).values_list("role", "opd_id")) == {
        ("opd_responder", opd.pk),
        ("diskominfo_admin", None),
    }
    assert user.is_staff and staff.can_use_console(user)
    assert user.has_perm("cityconfig.change_category") and not user.has_perm("auth.change_user")


def test_a_user_without_a_role_is_told_so_not_that_the_password_is_wrong(cities):
    connection.set_tenant(cities["mataram"])
    get_user_model().objects.create_user("tanpa-peran", "t@x.test", PASSWORD, is_staff=True)
    connection.set_schema_to_public()
    refused = _login("mataram", "tanpa-peran", PASSWORD)
    assert refused["errors"][0]["code"] == "NO_STAFF_ROLE"
    assert "belum diberi peran petugas" in refused["errors"][0]["message"]
    wrong = _login("mataram", "tanpa-peran", "salah")
    assert wrong["errors"][0]["code"] == "INVALID_CREDENTIALS"  # no hint without the password


def test_deactivation_refuses_sign_in_and_ends_existing_tokens(mataram):
    city, browser = mataram
    connection.set_tenant(city)
    invited = staff.invite_staff(
        name="Made", email="made@kota.go.id", roles=[RoleGrant(Role.OPERATOR)]
    )
    connection.set_schema_to_public()
    token = _login("mataram", invited.user.username, invited.temporary_password)["token"]
    me = "query { responseTemplates { code } }"
    assert Api("mataram", token).raw(me).json().get("errors") is None
    confirm = f"/admin/people/staffmember/{invited.user.pk}/deactivate/confirm/"
    assert "confirm-deactivate" in browser.get(confirm).content.decode()  # asks first
    assert browser.post(confirm).status_code == 302
    connection.set_tenant(city)
    invited.user.refresh_from_db()
    assert not invited.user.is_active
    connection.set_schema_to_public()
    again = _login("mataram", invited.user.username, invited.temporary_password)
    assert again["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert Api("mataram", token).raw(me).json()["errors"]  # the old token stops working
    reactivate = f"/admin/people/staffmember/{invited.user.pk}/reactivate/confirm/"
    assert browser.post(reactivate).status_code == 302
    assert _login("mataram", invited.user.username, invited.temporary_password)["token"]


def test_password_reset_shows_a_new_password_once_and_the_old_one_stops(mataram):
    city, browser = mataram
    connection.set_tenant(city)
    invited = staff.invite_staff(name="Ayu", email="ayu@kota.go.id", roles=[RoleGrant("operator")])
    connection.set_schema_to_public()
    response = browser.post(f"/admin/people/staffmember/{invited.user.pk}/password/confirm/")
    new = re.search(r'id="new-password">([^<]+)<', response.content.decode()).group(1)
    assert new != invited.temporary_password
    assert _login("mataram", invited.user.username, invited.temporary_password)["errors"]
    assert _login("mataram", invited.user.username, new)["token"]


def test_resetting_two_factor_removes_the_devices(mataram):
    city, browser = mataram
    connection.set_tenant(city)
    invited = staff.invite_staff(name="Wayan", email="w@kota.go.id", roles=[RoleGrant("operator")])
    TOTPDevice.objects.create(user=invited.user, name="HP", confirmed=True)
    connection.set_schema_to_public()
    url = f"/admin/people/staffmember/{invited.user.pk}/2fa/confirm/"
    assert browser.get(url).status_code == 200
    assert browser.post(url).status_code == 302
    connection.set_tenant(city)
    assert not TOTPDevice.objects.filter(user=invited.user).exists()


def test_an_operator_gets_an_explanation_not_the_console(cities):
    city = cities["mataram"]
    connection.set_tenant(city)
    invited = staff.invite_staff(
        name="Operator Satu", email="o1@kota.go.id", roles=[RoleGrant("operator")]
    )
    connection.set_schema_to_public()
    browser = Client(HTTP_HOST="mataram.localhost")
    response = browser.post(
        "/admin/login/",
        {
            "username": invited.user.username,
            "password": invited.temporary_password,
            "next": "/admin/",
        },
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Konsol khusus admin Diskominfo" in page and 'href="/kerja/"' in page
    assert "_auth_user_id" not in browser.session  # not signed in to the console
    for url in ("/admin/", "/admin/people/staffmember/", INVITE, "/admin/cityconfig/category/"):
        assert browser.get(url).status_code == 302  # to the sign-in, which explains
    english = Client(HTTP_HOST="mataram.localhost", HTTP_ACCEPT_LANGUAGE="en")
    english.cookies["django_language"] = "en"
    response = english.post(
        "/admin/login/",
        {
            "username": invited.user.username,
            "password": invited.temporary_password,
            "next": "/admin/",
        },
    )
    assert "Diskominfo" in response.content.decode() and "/kerja/" in response.content.decode()


def test_an_operator_with_an_old_ticked_status_is_still_kept_out(cities):
    city = cities["mataram"]
    connection.set_tenant(city)
    user = get_user_model().objects.create_user("lama-op", "l@x.test", PASSWORD, is_staff=True)
    StaffRole.objects.create(user=user, role="operator")
    browser = Client(HTTP_HOST="mataram.localhost")
    browser.force_login(user)  # its session lives in Mataram's schema
    connection.set_schema_to_public()
    assert browser.get("/admin/").status_code == 302
    assert browser.get("/admin/login/?next=/admin/").status_code == 403


def test_the_menu_hides_security_plumbing_and_raw_accounts(mataram):
    _city, browser = mataram
    index = browser.get("/admin/").content.decode()
    assert "/admin/people/staffmember/" in index
    for hidden in ("/admin/axes/", "/admin/otp_totp/", "/admin/auth/user/", "/admin/auth/group/"):
        assert hidden not in index
    assert browser.get("/admin/auth/user/").status_code in (403, 404)
    assert browser.get("/admin/axes/accessattempt/").status_code in (403, 404)
    listing = browser.get("/admin/people/staffmember/").content.decode()
    assert "Admin diskominfo-staff" in listing and "Admin Diskominfo" in listing


@pytest.mark.isolation
def test_a_mataram_admin_cannot_see_or_change_serang_staff(mataram, cities):
    _city, browser = mataram
    connection.set_tenant(cities["serang"])
    other = staff.invite_staff(
        name="Petugas Serang", email="ps@serang.go.id", roles=[RoleGrant("operator")]
    )
    connection.set_schema_to_public()
    assert "Petugas Serang" not in browser.get("/admin/people/staffmember/").content.decode()
    # IDs are per schema: Serang's ID is either unknown here (404) or another person of Mataram.
    page = browser.get(f"/admin/people/staffmember/{other.user.pk}/manage/")
    assert page.status_code == 404 or "Petugas Serang" not in page.content.decode()
    missing = other.user.pk + 10_000
    for what in ("password", "deactivate", "2fa"):
        url = f"/admin/people/staffmember/{missing}/{what}/confirm/"
        assert browser.post(url).status_code == 404
    serang = Client(HTTP_HOST="serang.localhost")
    refused = serang.post(
        "/admin/login/", {"username": "diskominfo-staff", "password": PASSWORD, "next": "/admin/"}
    )
    assert refused.status_code == 200  # unknown there: the Mataram account does not exist
    assert serang.get("/admin/people/staffmember/").status_code == 302
    connection.set_tenant(cities["serang"])
    other.user.refresh_from_db()
    assert other.user.is_active


def test_roles_are_changed_on_the_staff_page_and_an_admin_keeps_their_own_console(mataram):
    city, browser = mataram
    connection.set_tenant(city)
    invited = staff.invite_staff(name="Komang", email="k@kota.go.id", roles=[RoleGrant("operator")])
    opd = Opd.objects.filter(active=True).first()
    me = get_user_model().objects.get(username="diskominfo-staff")
    connection.set_schema_to_public()
    url = f"/admin/people/staffmember/{invited.user.pk}/manage/"
    assert "Atur ulang kata sandi" in browser.get(url).content.decode()
    form = {
        "name": "Komang Ayu",
        "phone": "0812 1111 2222",
        "email": "k@kota.go.id",
        "roles-TOTAL_FORMS": "2",
        "roles-INITIAL_FORMS": "1",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": "opd_head",
        "roles-0-opd": str(opd.pk),
    }
    assert browser.post(url, form).status_code == 302
    connection.set_tenant(city)
    assert list(StaffRole.objects.filter(user=invited.user).values_list("role", "opd_id")) == [
        ("opd_head", opd.pk)
    ]
    connection.set_schema_to_public()
    own = {**form, "name": "Admin", "phone": "", "email": "a@x.test"}
    own.update({"roles-0-role": "operator", "roles-0-opd": ""})
    response = browser.post(f"/admin/people/staffmember/{me.pk}/manage/", own)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    connection.set_tenant(city)
    me.refresh_from_db()
    assert staff.can_use_console(me) and me.get_full_name() == "Admin diskominfo-staff"
