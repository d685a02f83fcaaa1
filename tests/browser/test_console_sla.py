"""Issue 16 tasks 5 and 9 in Chromium, as a Mataram Diskominfo admin (web-mtr):
an SLA target typed "2 jam" is saved and shown as "2 jam"; the due tester
answers in WITA; a cuti bersama day is added with the date picker; the ranking
preview has filled dates and data and offers no publish button; a published
ranking (web-pkp publishes) is a short page on a phone, OPDs with reports only."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.db import connection
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, run_in_thread
from tests.browser.console_helpers import console_sign_in

SLUG = "web-mtr"


def _reports(city, count: int, opd_count: int = 2) -> None:
    """Assigned reports in the last days, spread over a few responding OPDs."""
    from django.utils import timezone

    from cityconfig.models import Category, Opd
    from reports.models import Report

    connection.set_tenant(city)
    category = Category.objects.active().first()
    opds = list(Opd.objects.active().filter(responder=True).order_by("pk")[:opd_count])
    now = timezone.now()
    for index in range(count):
        Report.objects.create(
            tracking_code=f"SLA-{secrets.token_hex(4).upper()}",
            category=category,
            description="Laporan uji konsol.",
            latitude=-8.58,
            longitude=116.10,
            channel="app",
            opd=opds[index % len(opds)],
            status="closed",
            assigned_at=now - dt.timedelta(days=2, hours=index),
            resolved_at=now - dt.timedelta(days=1),
            responded_within_sla=index % 2 == 0,
            resolved_within_sla=True,
            response_minutes=30,
            resolution_minutes=600,
            rating=5,
        )
    connection.set_schema_to_public()


def _own_rule(city) -> str:
    """A category and rule of this test's own, so other tests' rules stay as they are."""
    from cityconfig.models import Category, CategoryGroup, SlaRule

    connection.set_tenant(city)
    code = f"uji-sla-{secrets.token_hex(3)}"
    category = Category.objects.create(
        code=code,
        name_id=f"Uji SLA {code[-6:]}",
        name_en=f"SLA test {code[-6:]}",
        group=CategoryGroup.objects.active().first(),
    )
    rule = SlaRule.objects.create(category=category, response="4h", resolution="3d")
    connection.set_schema_to_public()
    return str(rule.pk), category.name_id


def _publish(city) -> int:
    from people.actors import Actor
    from ranking.services import publish_ranking
    from tests.factories import CityWorld

    world = CityWorld(city)
    admin = world.staff("diskominfo_admin")
    today = dt.date.today()
    snapshot = publish_ranking(admin, today - dt.timedelta(days=10), today, "")
    assert isinstance(admin, Actor)
    connection.set_schema_to_public()
    return snapshot.version


def test_an_sla_rule_typed_as_2_jam_and_the_due_tester_in_wita(
    server, browser, console_admin, web_cities, django_db_blocker
):
    username = console_admin(SLUG)
    pk, name = run_in_thread(django_db_blocker, _own_rule, web_cities[SLUG])
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    page = context.new_page()
    url = f"/admin/cityconfig/slarule/{pk}/change/"
    console_sign_in(page, server, SLUG, username, path=url)
    response = page.get_by_label("Target respons")
    expect(response).to_have_value("4 jam")
    response.fill("2 jam")
    page.get_by_label("Target penyelesaian").fill("dua hari")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("3 hari kerja")  # says what it wants
    page.get_by_label("Target penyelesaian").fill("3 hari kerja")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text(
        f"{name}: respons 2 jam kerja, selesai 3 hari kerja"
    )
    page.screenshot(path=str(SCREENSHOTS / "console-sla-list-1440.png"), full_page=True)
    page.goto(server.url(SLUG, url))
    expect(page.get_by_label("Target respons")).to_have_value("2 jam")

    page.goto(server.url(SLUG, "/admin/cityconfig/slarule/tenggat/"))
    page.get_by_label("Kategori").select_option(label=name)
    page.get_by_label("Laporan masuk pada").fill("2026-12-23T15:00")
    page.get_by_role("button", name="Hitung tenggat").click()
    expect(page.locator(".sla-due-response")).to_contain_text("WITA")
    expect(page.locator(".sla-due-response")).to_contain_text(
        "28-12-2026"
    )  # Monday after Christmas
    expect(page.locator(".sla-skipped")).to_contain_text("Cuti bersama Hari Raya Natal")
    page.screenshot(path=str(SCREENSHOTS / "console-sla-due-1440.png"), full_page=True)
    page.set_viewport_size({"width": 412, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "console-sla-due-412.png"), full_page=True)
    context.close()


def test_a_cuti_bersama_day_is_added_with_the_date_picker(server, browser, console_admin):
    username = console_admin(SLUG)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    page = context.new_page()
    console_sign_in(page, server, SLUG, username, path="/admin/cityconfig/slarule/kalender/")
    day = dt.date(2027, 1, 1) + dt.timedelta(days=random.randint(30, 300))
    page.get_by_role("button", name="+ Tambah hari libur").click()
    rows = page.locator('.sla-rows[data-prefix="libur"] .sla-row')
    last = rows.last
    last.locator('input[type="date"]').fill(day.isoformat())
    last.locator('input[type="text"]').fill("Cuti bersama uji")
    page.screenshot(path=str(SCREENSHOTS / "console-sla-calendar-1440.png"), full_page=True)
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Kalender kerja disimpan")
    expect(page.locator(f'input[type="date"][value="{day.isoformat()}"]')).to_have_count(1)
    page.set_viewport_size({"width": 412, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "console-sla-calendar-412.png"), full_page=True)
    context.close()


def test_the_mataram_ranking_preview_has_dates_and_data_and_no_publish(
    server, browser, console_admin, web_cities, django_db_blocker
):
    run_in_thread(django_db_blocker, _reports, web_cities[SLUG], 4)
    username = console_admin(SLUG)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    page = context.new_page()
    console_sign_in(page, server, SLUG, username, path="/admin/ranking/rankingsnapshot/preview/")
    assert page.get_by_label("Awal periode").input_value()
    assert page.get_by_label("Akhir periode").input_value()
    expect(page.locator(".ranking-table tbody tr").first).to_be_visible()
    expect(page.locator('input[name="publish"]')).to_have_count(0)
    expect(page.locator(".ranking-note").first).to_contain_text("tidak menerbitkan")
    page.screenshot(path=str(SCREENSHOTS / "console-ranking-preview-1440.png"), full_page=True)
    context.close()


def test_a_published_ranking_is_short_on_a_phone(server, browser, web_cities, django_db_blocker):
    city = web_cities["web-pkp"]
    run_in_thread(django_db_blocker, _reports, city, 6, 3)
    version = run_in_thread(django_db_blocker, _publish, city)
    context = browser.new_context(viewport={"width": 412, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.goto(server.url("web-pkp", f"/peringkat/v{version}/"))
    expect(page.locator("table.ranking tbody tr").first).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SCREENSHOTS / "console-ranking-public-412.png"), full_page=True)
    assert height < 4000, height
    assert width <= 412, width
    for cell in page.locator("table.ranking td[data-label='Laporan']").all():
        assert int(cell.inner_text().split()[-1]) > 0
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "console-ranking-public-1440.png"), full_page=True)
    context.close()
