"""The vendor's City page: archive/suspend/resume, billing, the wizard; never on a city's host."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from cityconfig.models import CityProfile
from kanal.errors import InvalidInput
from onboarding.models import OnboardingRun, RunStatus
from tenants.models import City, CityStatus, Domain, Subscription
from tenants.suspension import archive_city, suspend_city
from tests.conftest import CityClient
from tests.vendor.conftest import new_city_yaml


def test_an_archived_city_answers_410_on_every_host_and_keeps_its_data(cities):
    city = cities["serang"]
    assert archive_city(city, note="kontrak berakhir", actor="vendor-ops")
    stored = City.objects.get(pk=city.pk)
    assert stored.status == CityStatus.ARCHIVED and "kontrak berakhir" in stored.status_reason
    page = CityClient("serang").get("/")
    assert page.status_code == 410
    assert "tidak lagi menggunakan Kanal" in page.content.decode()
    assert CityClient("serang").get("/admin/").status_code == 410
    assert (
        CityClient("serang").post("/graphql/", {}, content_type="application/json").status_code
        == 410
    )
    connection.set_schema_to_public()
    with schema_context(city.schema_name):
        assert CityProfile.objects.exists()  # data kept
    assert Domain.objects.filter(tenant=city).exists()  # hosts stay reserved
    assert not archive_city(city, note="lagi", actor="vendor-ops")  # already archived
    with pytest.raises(InvalidInput):
        suspend_city(city, kind="manual", note="x", actor="vendor-ops")


def test_archiving_needs_a_reason(cities):
    with pytest.raises(InvalidInput) as refused:
        archive_city(cities["serang"], note="  ", actor="vendor-ops")
    assert refused.value.field == "reason"
    assert City.objects.get(pk=cities["serang"].pk).status == CityStatus.ACTIVE


def test_the_city_page_suspends_resumes_and_archives_with_confirmation(cities, vendor):
    city = cities["serang"]
    url = f"/admin/tenants/city/{city.pk}/layanan/"
    refused = vendor.post(url, {"do": "suspend", "reason": ""}, follow=True)
    assert "Isi alasan penangguhan" in refused.content.decode()
    vendor.post(url, {"do": "suspend", "reason": "uji"})
    assert City.objects.get(pk=city.pk).status == CityStatus.SUSPENDED
    assert CityClient("serang").get("/").status_code == 503
    vendor.post(url, {"do": "resume", "reason": "beres"})
    assert City.objects.get(pk=city.pk).status == CityStatus.ACTIVE
    unconfirmed = vendor.post(url, {"do": "archive", "reason": "selesai"}, follow=True)
    assert "Centang konfirmasi" in unconfirmed.content.decode()
    assert City.objects.get(pk=city.pk).status == CityStatus.ACTIVE
    vendor.post(url, {"do": "archive", "reason": "selesai", "confirm_archive": "on"})
    assert City.objects.get(pk=city.pk).status == CityStatus.ARCHIVED


def test_billing_starts_from_the_city_page(cities, vendor, plan):
    city = cities["pangkalpinang"]
    page = vendor.get(f"/admin/tenants/city/{city.pk}/change/").content.decode()
    assert "Mulai penagihan" in page and plan.name in page
    answer = vendor.post(
        f"/admin/tenants/city/{city.pk}/penagihan/",
        {"plan": plan.pk, "trial_days": "14"},
        follow=True,
    )
    assert "Penagihan Kota Pangkalpinang dimulai" in answer.content.decode()
    sub = Subscription.objects.get(city=city)
    assert sub.plan == plan and sub.stripe_subscription_id


def test_a_stripe_failure_is_a_message_not_a_500(cities, vendor, plan, settings):
    settings.STRIPE_API_KEY = ""
    city = cities["pangkalpinang"]
    answer = vendor.post(
        f"/admin/tenants/city/{city.pk}/penagihan/", {"plan": plan.pk}, follow=True
    )
    assert answer.status_code == 200
    assert "Penagihan belum dikonfigurasi" in answer.content.decode()
    assert not Subscription.objects.filter(city=city).exists()


def test_the_wizard_uploads_plans_applies_and_records(cities, vendor):
    listing = vendor.get("/admin/tenants/city/").content.decode()
    assert "/admin/tenants/city/baru/" in listing and "Tambah kota" in listing
    assert vendor.get("/admin/tenants/city/add/").url == "/admin/tenants/city/baru/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = SimpleUploadedFile("rusak.yaml", b"slug: Rusak\nidentity: {}\n")
    problems = vendor.post("/admin/tenants/city/baru/", {"source": "upload", "u-file": broken})
    assert "tidak dapat diterapkan" in problems.content.decode()
    assert "<code>slug</code>" in problems.content.decode()

    upload = SimpleUploadedFile("kotawiz.yaml", new_city_yaml("kotawiz", "Kota Wisata").encode())
    planned = vendor.post("/admin/tenants/city/baru/", {"source": "upload", "u-file": upload})
    page = planned.content.decode()
    assert "Rencana: Kota Wisata" in page and "Terapkan" in page and "kotawiz.localhost" in page
    assert not City.objects.filter(slug="kotawiz").exists()  # nothing made by a plan
    run = OnboardingRun.objects.get(city_slug="kotawiz")
    assert run.status == RunStatus.PLANNED
    token = planned.context["token"]

    done = vendor.post("/admin/tenants/city/baru/", {"apply": "1", "token": token}, follow=True)
    result = done.content.decode()
    assert "Kota dibuat" in result and "Skema database dibuat" in result
    assert "http://kotawiz.localhost/" in result
    run.refresh_from_db()
    assert run.status == RunStatus.APPLIED and run.actor == "vendor-ops"
    assert City.objects.filter(slug="kotawiz").exists()
    again = vendor.post("/admin/tenants/city/baru/", {"apply": "1", "token": token}, follow=True)
    assert "kedaluwarsa" in again.content.decode()  # one plan, one apply
    detail = vendor.get(f"/admin/onboarding/onboardingrun/{run.pk}/change/").content.decode()
    assert "jalan-rusak" in detail and "slug: kotawiz" in detail


def test_a_city_admin_never_reaches_the_vendor_console(cities):
    city = cities["serang"]
    connection.set_tenant(city)
    get_user_model().objects.create_superuser("root-serang", "r@x.test", "pw-Kanal-123")
    connection.set_schema_to_public()
    browser = Client(HTTP_HOST="serang.localhost")
    browser.post(
        "/admin/login/", {"username": "root-serang", "password": "pw-Kanal-123", "next": "/admin/"}
    )
    index = browser.get("/admin/").content.decode()
    assert "onboardingrun" not in index and "/admin/tenants/" not in index
    pk = cities["kotacontoh"].pk
    for path in (
        "/admin/tenants/city/baru/",
        "/admin/tenants/city/add/",
        "/admin/onboarding/onboardingrun/",
        f"/admin/tenants/city/{pk}/change/",
    ):
        assert browser.get(path).status_code in (403, 404), path
    for path, data in (
        (f"/admin/tenants/city/{pk}/domain/", {"domain": "curian.example.id"}),
        (f"/admin/tenants/city/{pk}/layanan/", {"do": "suspend", "reason": "x"}),
        (f"/admin/tenants/city/{pk}/undang/", {"name": "X", "email": "x@x.id"}),
    ):
        assert browser.post(path, data).status_code in (403, 404), path
    connection.set_schema_to_public()
    assert not Domain.objects.filter(domain="curian.example.id").exists()
    assert City.objects.get(pk=pk).status == CityStatus.ACTIVE


def test_the_wizard_scaffolds_from_a_kemendagri_code(cities, vendor):
    from onboarding.vendor import scaffold_module

    if scaffold_module() is None:
        pytest.skip("onboarding.scaffold is not in this build")
    form = vendor.get("/admin/tenants/city/baru/").content.decode()
    assert "Kode wilayah Kemendagri" in form and "Seperti Kota Mataram" in form
    unknown = vendor.post("/admin/tenants/city/baru/", {"source": "scaffold", "s-code": "99.99"})
    assert unknown.status_code == 200
    assert unknown.context["scaffold_form"].errors  # next to the field, no 500
    swapped = vendor.post(
        "/admin/tenants/city/baru/",
        {"source": "scaffold", "s-code": "52.01", "s-center": "116.1, -8.6"},
    )
    assert "center" in swapped.context["scaffold_form"].errors
    planned = vendor.post(
        "/admin/tenants/city/baru/",
        {"source": "scaffold", "s-code": "52.01", "s-slug": "lobar", "s-center": "-8.6, 116.1"},
    )
    page = planned.content.decode()
    assert "Rencana:" in page and "Lombok Barat" in page and "lobar.localhost" in page
    run = OnboardingRun.objects.get(city_slug="lobar")
    assert run.region_code == "52.01" and run.source_kind == "scaffold"
    done = vendor.post(
        "/admin/tenants/city/baru/", {"apply": "1", "token": planned.context["token"]}, follow=True
    )
    assert "Kota dibuat" in done.content.decode()
    assert City.objects.get(slug="lobar").time_zone == "Asia/Makassar"
