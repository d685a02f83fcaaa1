"""Issue 16 tasks 2–4 in the console: categories in both languages with their
own SLA, the OPD tree that cannot go round, routing rules in words and the
"where would this report go?" tester, which answers as intake routes."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client

from cityconfig.models import Category, CategoryGroup, ConfigRevision, Opd, RoutingRule, SlaRule
from tests.territory.conftest import (  # noqa: F401 (fixtures)
    api,
    fresh_rate_limits,
    inside,
    tokens,
)
from tests.territory.test_routing_by_area import submit
from tests.test_admin_security import make_staff


def sign_in(city, username: str) -> Client:
    make_staff(city, username)
    browser = Client(HTTP_HOST=f"{city.slug}.localhost")
    response = browser.post(
        "/admin/login/", {"username": username, "password": "pw-Kanal-123", "next": "/"}
    )
    assert response.status_code == 302
    connection.set_tenant(city)
    return browser


@pytest.fixture
def console(cities):
    return sign_in(cities["mataram"], "diskominfo-katalog")


def category_form(**changes) -> dict:
    data = {
        "code": "tes-" + uuid.uuid4().hex[:6],
        "group": str(CategoryGroup.objects.active().first().pk),
        "name_id": "Trotoar Rusak",
        "name_en": "Broken Pavement",
        "description_id": "Trotoar berlubang atau ubin lepas.",
        "description_en": "",
        "photo": "",
        "sla_response": "",
        "sla_resolution": "",
        "sla_clock": "working",
        "active": "on",
        "position": "0",
    }
    data.update(changes)
    return data


def test_a_category_without_english_description_is_a_field_error_and_nothing_is_saved(console):
    data = category_form()
    revisions = ConfigRevision.objects.count()
    response = console.post("/admin/cityconfig/category/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "bahasa Inggris" in " ".join(errors["description_en"])
    assert not Category.objects.filter(code=data["code"]).exists()
    assert ConfigRevision.objects.count() == revisions


def test_a_category_with_both_texts_and_its_own_sla_typed_in_words_is_saved(console):
    data = category_form(
        code="  Trotoar Rusak ",
        description_en="Holes or loose tiles in the pavement.",
        photo="yes",
        sla_response="2 jam",
        sla_resolution="3 hari kerja",
    )
    response = console.post("/admin/cityconfig/category/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    category = Category.objects.get(code="trotoar-rusak")
    assert category.photo_required is True
    rule = SlaRule.objects.get(category=category, priority="")
    assert (rule.response, rule.resolution, rule.clock) == ("2h", "3d", "working")
    assert ConfigRevision.objects.latest("pk").actor.startswith("diskominfo-katalog")
    # Shown back as typed words, not "2h".
    page = console.get(f"/admin/cityconfig/category/{category.pk}/change/").content.decode()
    assert 'value="2 jam"' in page


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"code": ""}, "code"),
        ({"code": "jalan rusak!"}, "code"),
        ({"code": "jalan-rusak"}, "code"),  # already Mataram's
        ({"name_en": "x" * 301}, "name_en"),
        ({"name_id": "   "}, "name_id"),
        ({"sla_response": "2 jam", "description_en": "x"}, "sla_resolution"),
        ({"sla_response": "besok", "sla_resolution": "2d", "description_en": "x"}, "sla_response"),
    ],
)
def test_hurried_input_is_a_field_error_never_a_500(console, changes, field):
    response = console.post("/admin/cityconfig/category/add/", category_form(**changes))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


def open_report(category: Category, opd: Opd, code: str):
    from reports.models import Report

    return Report.objects.create(
        tracking_code=code,
        category=category,
        description="Laporan uji konsol.",
        latitude=-8.58,
        longitude=116.10,
        channel="app",
        opd=opd,
        status="assigned",
    )


def test_retiring_a_category_with_open_reports_warns_with_the_count_first(console):
    category = Category.objects.get(code="pju")
    opd = Opd.objects.get(code="bidang-pju")
    for n in range(3):
        open_report(category, opd, f"KAT-{n}")
    url = f"/admin/cityconfig/category/{category.pk}/change/"
    form = console.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        group=str(category.group_id), active="", position="0", sla_clock=form.initial["sla_clock"]
    )
    data.pop("active")
    response = console.post(url, data)
    assert response.status_code == 200
    warning = " ".join(response.context["adminform"].form.errors["confirm_retire"])
    assert "3 laporan aktif" in warning
    category.refresh_from_db()
    assert category.active
    response = console.post(url, {**data, "confirm_retire": "on"})
    assert response.status_code == 302
    category.refresh_from_db()
    assert not category.active
    # Its rules went with it, in the same revision: nothing dangles.
    assert not RoutingRule.objects.active().filter(category=category).exists()


def test_deleting_a_category_with_reports_is_refused_in_words(console):
    category = Category.objects.get(code="pungli")
    open_report(category, Opd.objects.get(code="inspektorat"), "KAT-DEL")
    url = f"/admin/cityconfig/category/{category.pk}/delete/"
    page = console.get(url).content.decode()
    assert "tidak dapat dihapus" in page and "Nonaktifkan saja" in page
    response = console.post(url, {"post": "yes"})
    assert response.status_code in (200, 403)
    assert Category.objects.filter(pk=category.pk).exists()


def opd_form(opd: Opd, **changes) -> dict:
    data = {
        "code": opd.code,
        "name": opd.name,
        "short_name": opd.short_name,
        "kind": opd.kind,
        "parent": str(opd.parent_id or ""),
        "responder": "on" if opd.responder else "",
        "active": "on",
        "position": str(opd.position),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_moving_an_opd_under_its_own_child_is_refused(console):
    pupr = Opd.objects.get(code="dinas-pupr")
    bina_marga = Opd.objects.get(code="bidang-bina-marga")
    response = console.post(
        f"/admin/cityconfig/opd/{pupr.pk}/change/", opd_form(pupr, parent=str(bina_marga.pk))
    )
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["parent"])
    assert "tidak boleh berputar" in message and "Bidang Bina Marga" in message
    pupr.refresh_from_db()
    assert pupr.parent_id is None


def test_moving_an_opd_to_another_parent_is_saved(console):
    bina_marga = Opd.objects.get(code="bidang-bina-marga")
    setda = Opd.objects.get(code="setda")
    response = console.post(
        f"/admin/cityconfig/opd/{bina_marga.pk}/change/",
        opd_form(bina_marga, parent=str(setda.pk)),
    )
    assert response.status_code == 302
    bina_marga.refresh_from_db()
    assert bina_marga.parent_id == setda.pk


def test_retiring_an_opd_that_rules_point_to_is_refused_in_words(console):
    bpbd = Opd.objects.get(code="bpbd")
    response = console.post(f"/admin/cityconfig/opd/{bpbd.pk}/change/", opd_form(bpbd, active=""))
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["active"])
    assert "aturan disposisi" in message and "Ubah aturan itu dulu" in message
    assert Opd.objects.get(pk=bpbd.pk).active


def test_the_opd_list_is_a_tree(console):
    page = console.get("/admin/cityconfig/opd/").content.decode()
    assert 'class="opd-tree"' in page
    # Bina Marga is inside Dinas PUPR's branch.
    start = page.index("Dinas Pekerjaan Umum dan Penataan Ruang")
    assert start < page.index("Bidang Bina Marga")
    # Filters still give the table.
    assert "result_list" in console.get("/admin/cityconfig/opd/?active__exact=1").content.decode()


def test_routing_rules_read_as_sentences(console):
    page = console.get("/admin/cityconfig/routingrule/").content.decode()
    sampah = Category.objects.get(code="sampah").name_id
    sentence = f"{sampah} di seluruh kota → kantor wilayah laporan (kelurahan/desa), teruskan ke"
    assert sentence in page
    assert "Opd token" not in page


def test_a_rule_to_the_kecamatan_office_is_made_in_words(console):
    category = Category.objects.get(code="pohon-tumbang")
    area = Opd.objects.filter(generated=True, area__level="kecamatan").first().area
    response = console.post(
        "/admin/cityconfig/routingrule/add/",
        {
            "category": category.pk,
            "area": area.pk,
            "target": "@kecamatan",
            "active": "on",
            "position": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = RoutingRule.objects.get(category=category, area=area)
    assert rule.opd_token == "@kecamatan" and rule.opd_id is None
    # An OPD target without an OPD is a field error.
    response = console.post(
        "/admin/cityconfig/routingrule/add/",
        {"category": category.pk, "target": "opd", "active": "on", "position": "0"},
    )
    assert "opd" in response.context["adminform"].form.errors


def ask_tester(console, **params):
    response = console.get("/admin/cityconfig/routingrule/tester/", params)
    assert response.status_code == 200
    return response


def test_the_tester_answers_as_intake_routes_a_kelurahan_rule(console, api, tokens):  # noqa: F811 (fixtures)
    people = tokens("mataram")
    lat, lon = inside("52.71.01.1005")
    sampah = Category.objects.get(code="sampah")
    answer = ask_tester(console, category=sampah.pk, latitude=lat, longitude=lon).context["answer"]
    report = submit(api, "mataram", people.citizen, "sampah", lat, lon)
    connection.set_tenant(console_city())
    assert answer.decision.opd.code == report["opd"]["code"] == "wil-52-71-01-1005"
    assert answer.area.code == "52.71.01.1005" and answer.area_from_point
    assert answer.decision.forward_to.code == "bidang-persampahan"
    assert answer.sentence.startswith(sampah.name_id + " di ")
    assert "teruskan ke Bidang Persampahan" in answer.sentence


def test_the_tester_explains_the_default_fallback_as_intake_routes_it(console, api, tokens):  # noqa: F811 (fixtures)
    people = tokens("mataram")
    group = CategoryGroup.objects.active().first()
    Category.objects.create(
        code="tanpa-aturan", name_id="Tanpa Aturan", name_en="No rule", group=group
    )
    lat, lon = inside("52.71.01.1005")
    category = Category.objects.get(code="tanpa-aturan")
    response = ask_tester(console, category=category.pk, latitude=lat, longitude=lon)
    answer = response.context["answer"]
    report = submit(api, "mataram", people.citizen, "tanpa-aturan", lat, lon)
    connection.set_tenant(console_city())
    assert answer.decision.rule is None
    assert answer.decision.opd.code == report["opd"]["code"] == "command-center"
    assert "OPD bawaan kota" in response.content.decode()


def test_the_tester_refuses_bad_points_with_field_errors(console):
    sampah = Category.objects.get(code="sampah")
    form = ask_tester(console, category=sampah.pk, latitude="-95", longitude="116").context["form"]
    assert "latitude" in form.errors
    form = ask_tester(console, category=sampah.pk, latitude="abc", longitude="").context["form"]
    assert "latitude" in form.errors
    form = ask_tester(console, category="999999").context["form"]
    assert "category" in form.errors


def test_another_citys_ids_are_not_found(console, cities):
    connection.set_tenant(cities["serang"])
    serang_opd = Opd.objects.order_by("-pk").first().pk + 1000
    serang_rule = RoutingRule.objects.first().pk
    serang_category = Category.objects.order_by("-pk").first().pk + 1000
    connection.set_tenant(cities["mataram"])
    assert console.get(f"/admin/cityconfig/opd/{serang_opd}/change/").status_code == 302
    assert console.get(f"/admin/cityconfig/category/{serang_category}/change/").status_code == 302
    # A Serang row id that happens to exist in Mataram shows Mataram's row, never Serang's.
    page = console.get(f"/admin/cityconfig/routingrule/{serang_rule}/change/")
    assert "Serang" not in page.content.decode()
    # The tester lists only Mataram's categories: Serang's ids are refused.
    form = ask_tester(console, category=str(serang_category)).context["form"]
    assert "category" in form.errors
    # The Serang host refuses a Mataram console session.
    serang = Client(HTTP_HOST="serang.localhost")
    serang.cookies = console.cookies
    assert serang.get("/admin/cityconfig/routingrule/tester/").status_code == 302


def console_city():
    from tenants.models import City

    return City.objects.get(slug="mataram")


def test_an_opds_head_and_contacts_are_saved_and_round_trip_through_yaml(console):
    from cityconfig.export import config_to_yaml, current_config
    from onboarding.loading import parse_config
    from onboarding.services import plan_config

    dlh = Opd.objects.get(code="dlh")
    url = f"/admin/cityconfig/opd/{dlh.pk}/change/"
    bad = console.post(url, opd_form(dlh, head="Ir. Wahyu", phone="call me", email="wahyu@"))
    errors = bad.context["adminform"].form.errors
    assert "phone" in errors and "email" in errors
    response = console.post(
        url, opd_form(dlh, head="Ir. Wahyu", phone="0370  631234", email="dlh@mataramkota.go.id")
    )
    assert response.status_code == 302
    dlh.refresh_from_db()
    assert (dlh.head, dlh.phone) == ("Ir. Wahyu", "0370 631234")
    config = current_config("mataram")
    exported = next(o for o in config.opds if o.code == "dlh")
    assert exported.email == "dlh@mataramkota.go.id"
    text = config_to_yaml(config)
    assert "Ir. Wahyu" in text
    assert not plan_config(parse_config(text)).has_changes  # re-applies with no changes
    assert "Ir. Wahyu" in console.get("/admin/cityconfig/opd/").content.decode()  # in the tree
