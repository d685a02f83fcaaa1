"""A new city's first Diskominfo admin: invited by e-mail (a real SMTP server),
sets a password through a one-time link on the city's host, then uses the console."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from kanal.errors import Unavailable
from onboarding.invites import invite_first_admin
from people.staff import can_use_console
from tests.conftest import CityClient
from tests.vendor.mail import free_port

NEW_PASSWORD = "Laporan-Warga-2026"


def test_the_invited_admin_sets_a_password_signs_in_and_the_link_dies(cities, smtp):
    city = cities["kotacontoh"]
    username = invite_first_admin(
        city,
        name="Siti Aminah",
        email="Siti@KotaContoh.go.id",
        phone="0812 3456 7890",
        base_url="http://kotacontoh.localhost:8000",
    )
    connection.set_schema_to_public()
    message = smtp.to("siti@kotacontoh.go.id")
    body = smtp.text(message)
    assert "Kota Contoh" in message["Subject"]
    assert "admin Diskominfo Kota Contoh" in body and "Diskominfo admin of Kota Contoh" in body
    assert username in body
    link = smtp.invite_link("siti@kotacontoh.go.id")
    assert link.startswith("http://kotacontoh.localhost:8000/undangan/")
    with schema_context(city.schema_name):
        user = get_user_model().objects.get(username=username)
        assert not user.has_usable_password()  # no password exists until the admin sets one
        assert can_use_console(user)

    browser = CityClient("kotacontoh")
    path = urlsplit(link).path
    opened = browser.get(path, follow=True)
    assert "Atur kata sandi Anda" in opened.content.decode()
    form_path = opened.redirect_chain[-1][0]
    saved = browser.post(
        form_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert saved.redirect_chain[-1][0] == "/admin/login/"
    assert "Kata sandi tersimpan" in saved.content.decode()

    signed_in = browser.post(
        "/admin/login/",
        {"username": username, "password": NEW_PASSWORD, "next": "/admin/"},
        follow=True,
    )
    console = signed_in.content.decode()
    assert signed_in.status_code == 200 and "Riwayat perubahan" in console  # the city's tools

    again = CityClient("kotacontoh").get(path, follow=True)
    assert "tidak berlaku lagi" in again.content.decode()


def test_the_link_is_only_good_on_its_own_citys_host(cities, smtp):
    invite_first_admin(
        cities["kotacontoh"], name="Budi", email="budi@kotacontoh.go.id", base_url="http://x"
    )
    connection.set_schema_to_public()
    path = urlsplit(smtp.invite_link("budi@kotacontoh.go.id")).path
    elsewhere = CityClient("serang").get(path, follow=True)
    assert "tidak berlaku lagi" in elsewhere.content.decode()


def test_a_refused_e_mail_keeps_no_account(cities, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    city = cities["kotacontoh"]
    with pytest.raises(Unavailable) as refused:
        invite_first_admin(city, name="Rina", email="rina@kotacontoh.go.id", base_url="http://x")
    assert refused.value.code == "EMAIL_FAILED" and "Akun tidak dibuat" in refused.value.message
    with schema_context(city.schema_name):
        assert not get_user_model().objects.filter(email="rina@kotacontoh.go.id").exists()


def test_the_vendor_invites_from_the_city_page_with_the_requests_port(cities, vendor, smtp):
    city = cities["kotacontoh"]
    answer = vendor.post(
        f"/admin/tenants/city/{city.pk}/undang/",
        {"name": "Ayu Lestari", "email": "ayu@kotacontoh.go.id", "phone": ""},
        SERVER_PORT="8000",
        follow=True,
    )
    assert "Undangan dikirim ke ayu@kotacontoh.go.id" in answer.content.decode()
    assert smtp.invite_link("ayu@kotacontoh.go.id").startswith(
        "http://kotacontoh.localhost:8000/undangan/"
    )
    bad = vendor.post(
        f"/admin/tenants/city/{city.pk}/undang/", {"name": "X", "email": "bukan-email"}, follow=True
    )
    assert "E-mail:" in bad.content.decode()
