"""The field-survey phone view and the responder queue in a real browser
(issue 15 §2, §3): Jakarta's chain (operator → field survey with a photo on a
412 px phone → the kelurahan → forwarded to the dinas → resolved with proof),
the queue's filters and search, and a survey result sent offline that is kept
on the phone and recorded once when the phone is back online."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tests.browser.conftest import run_in_thread
from tests.browser.test_web_app import fresh_photo, staff_sign_in

PHONE = {"width": 412, "height": 915}
DESK = {"width": 1440, "height": 900}
JAKARTA = (-6.1815, 106.8283)  # Balai Kota, Jakarta Pusat
PANGKALPINANG = (-2.1265, 106.1140)


def api(server, slug: str, name: str, variables: dict, token: str | None = None) -> dict:
    from tests.api.conftest import document

    body = json.dumps({"query": document(name), "variables": variables}).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with server.fetch(slug, "/graphql/", body, headers) as response:
        return json.loads(response.read())["data"]


def staff_token(server, slug: str, username: str) -> str:
    from tests.browser.conftest import PASSWORD

    data = api(server, slug, "StaffLogin", {"username": username, "password": PASSWORD})
    assert data["staffLogin"]["errors"] == [], data
    return data["staffLogin"]["token"]


def submit(web_cities, django_db_blocker, slug: str, near, description: str, **fields) -> str:
    """A citizen's report (through the intake service), committed; its code."""
    from reports.photos import Upload
    from tests.factories import CityWorld
    from verification.samples import phone_photo

    def make():
        city = CityWorld(web_cities[slug])
        lat, lon = near
        photo = phone_photo(
            seed=6000 + secrets.randbelow(6000),
            width=800,
            height=600,
            taken_at=datetime.now(UTC) - timedelta(minutes=5),
            gps=(lat + 0.0001, lon + 0.0001),
        )
        citizen = city.citizen(f"+62812{secrets.randbelow(10**8):08d}")
        result = city.submit(
            citizen,
            photos=[Upload(photo, "foto.jpg")],
            near=near,
            description=description,
            category_code="jalan-rusak",
            **fields,
        )
        return result.report.tracking_code

    return run_in_thread(django_db_blocker, make)


def report_row(web_cities, django_db_blocker, slug: str, code: str) -> dict:
    from reports.models import Report

    def lookup():
        connection.set_tenant(web_cities[slug])
        r = Report.objects.select_related("opd").get(tracking_code=code)
        return {
            "status": r.status,
            "opd": r.opd.code if r.opd else None,
            "opd_kind": r.opd.kind if r.opd else None,
            "surveys": r.timeline.filter(action="confirm_survey").count(),
            "survey_photos": r.photos.filter(kind="survey").count(),
        }

    return run_in_thread(django_db_blocker, lookup)


def to_survey(server, staff_user, slug: str, code: str) -> None:
    """The operator accepts the report in triage; Jakarta's policy sends every
    accepted report to the field survey."""
    token = staff_token(server, slug, staff_user(slug, "operator"))
    data = api(server, slug, "TriageReport", {"trackingCode": code, "decision": "ACCEPT"}, token)
    assert data["triageReport"]["errors"] == [], data
    assert data["triageReport"]["report"]["status"] == "field_survey"


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_jakarta_chain_survey_on_a_phone_then_kelurahan_then_dinas(
    db, server, browser, web_cities, staff_user, django_db_blocker, tmp_path, shot
):
    slug = "web-jkt"
    lat, lon = JAKARTA
    code = submit(
        web_cities, django_db_blocker, slug, JAKARTA, "Jalan berlubang dalam di depan Balai Kota."
    )

    # Jakarta's operator triages it in the workbench: accepted, Jakarta's policy
    # sends it to the field survey.
    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    op = desk.new_page()
    op.goto(server.url(slug, f"/kerja/{code}"))
    staff_sign_in(op, staff_user(slug, "operator"))
    op.wait_for_selector(f'#work-code:text("{code}")', timeout=15000)
    op.fill('textarea[name="decision-note"]', "Sesuai foto; perlu dicek di lapangan.")
    op.click('[data-action="accept"]')
    op.wait_for_selector("#action-status .alert.ok, #work-detail .alert.error", timeout=15000)
    assert op.locator("#work-detail .alert.error").count() == 0
    shot(op, "jkt-00-operator-triage-desk")
    desk.close()
    assert report_row(web_cities, django_db_blocker, slug, code)["status"] == "field_survey"

    # The survey officer, on a phone, finds it and confirms it with a photo.
    phone = browser.new_context(viewport=PHONE, locale="id-ID")
    sp = phone.new_page()
    sp.goto(server.url(slug, "/survei/"))
    staff_sign_in(sp, staff_user(slug, "survey_officer"))
    item = sp.locator(f'li.survey-item[data-code="{code}"]')
    item.wait_for(timeout=15000)
    geo = item.locator('a[data-maps="geo"]').get_attribute("href")
    assert geo.startswith(f"geo:{lat}") or geo.startswith("geo:-6.18"), geo
    assert "maps" in item.locator('a[data-maps="https"]').get_attribute("href")
    assert sp.locator(".queue-map .citymap").is_visible()
    no_sideways_scroll(sp)
    shot(sp, "jkt-01-survey-list-phone")
    item.get_by_label("Sesuai laporan (ditemukan)").check()
    item.locator('textarea[name="survey-note"]').fill("Lubang ada, diameter sekitar 1 m.")
    item.locator('input[name="survey-photo"]').set_input_files(
        str(fresh_photo(tmp_path, lat, lon, "survei"))
    )
    shot(sp, "jkt-02-survey-filled-phone")
    item.locator('[data-action="survey"]').click()
    sp.wait_for_selector("#action-status .alert.ok", timeout=30000)
    assert sp.locator(f'li.survey-item[data-code="{code}"]').count() == 0
    shot(sp, "jkt-03-survey-sent-phone")
    row = report_row(web_cities, django_db_blocker, slug, code)
    assert row["status"] == "assigned" and row["survey_photos"] == 1
    assert row["opd_kind"] == "kelurahan", row  # Jakarta: the kelurahan checks first

    # The kelurahan office sees the whole history and forwards it to the dinas.
    kelurahan = browser.new_context(viewport=PHONE, locale="id-ID")
    rp = kelurahan.new_page()
    rp.goto(server.url(slug, "/respond/"))
    staff_sign_in(rp, staff_user(slug, "opd_responder", row["opd"]))
    card = rp.locator(f'li.queue-item[data-code="{code}"]')
    card.wait_for(timeout=15000)
    text = card.inner_text()
    assert text.count("Tenggat:") == 1 and "on_track" not in text, text
    assert re.search(r"Tenggat: .+ WIB · (tepat waktu|hampir lewat|terlambat)", text), text
    card.locator("details.history summary").click()
    history = card.locator("details.history").inner_text()
    assert "Survei lapangan selesai" in history and "diameter sekitar 1 m" in history
    assert "Dikirim untuk survei lapangan" in history or "Diterima operator" in history
    assert card.locator('figure[data-kind="survey"] figcaption').inner_text() == (
        "Foto survei lapangan 1"
    )
    no_sideways_scroll(rp)
    shot(rp, "jkt-04-kelurahan-queue-phone")
    card.locator("summary", has_text="Teruskan").click()
    target = card.locator('select[name="forward-to"]')
    values = target.locator("option").evaluate_all("os => os.map(o => o.value)")
    dinas = "sudin-bm-jakpus" if "sudin-bm-jakpus" in values else "dinas-bina-marga"
    target.select_option(dinas)
    card.locator('input[name="forward-reason"]').fill("Perbaikan jalan oleh Suku Dinas Bina Marga.")
    card.locator('[data-action="forward"]').click()
    rp.wait_for_selector("#action-status .alert.ok", timeout=15000)
    assert report_row(web_cities, django_db_blocker, slug, code)["opd"] == dinas

    # The dinas, at a desk, acknowledges and resolves it with a proof photo.
    desk = browser.new_context(viewport=DESK, locale="id-ID")
    dp = desk.new_page()
    dp.goto(server.url(slug, "/respond/"))
    staff_sign_in(dp, staff_user(slug, "opd_responder", dinas))
    card = dp.locator(f'li.queue-item[data-code="{code}"]')
    card.wait_for(timeout=15000)
    card.locator('[data-action="acknowledge"]').click()
    dp.wait_for_selector("#action-status .alert.ok", timeout=15000)
    card = dp.locator(f'li.queue-item[data-code="{code}"]')
    # Resolving without a photo fails: the error shows, the old "saved" is gone.
    card.locator('textarea[name="resolve-note"]').fill("Lubang sudah ditambal.")
    card.locator('[data-action="resolve"]').click()
    card.locator(".alert.error").wait_for(timeout=15000)
    assert dp.locator("#action-status .alert").count() == 0
    # The city's template, filled in for this report.
    card.locator('select[name="template-resolve"]').select_option("selesai")
    note = card.locator('textarea[name="resolve-note"]').input_value()
    assert code in note and "{kode}" not in note and "{opd}" not in note, note
    proof = fresh_photo(tmp_path, lat, lon, "bukti")
    card.locator('input[name="proof"]').set_input_files(str(proof))
    shot(dp, "jkt-05-dinas-resolving-desk")
    card.locator('[data-action="resolve"]').click()
    dp.wait_for_selector("#action-status .alert.ok", timeout=30000)
    assert dp.locator(".queue-item .alert.error").count() == 0
    assert report_row(web_cities, django_db_blocker, slug, code)["status"] == "resolved"
    shot(dp, "jkt-06-dinas-resolved-desk")
    for context in (phone, kelurahan, desk):
        context.close()


def test_responder_filters_and_search_narrow_the_queue(
    db, server, browser, web_cities, staff_user, django_db_blocker, shot
):
    from reports.models import Report

    slug = "web-pkp"
    token = secrets.token_hex(3)
    lat, lon = PANGKALPINANG
    a = submit(
        web_cities,
        django_db_blocker,
        slug,
        (lat + 0.001, lon),
        f"Lubang besar di Jalan Merdeka {token}, dekat pasar.",
        address="Jl.Jenderal-Sudirman-No.123-RT001-RW002-Kelurahan-Batin-Tikal-Kecamatan-Taman-Sari"
        * 3,
    )
    b = submit(
        web_cities,
        django_db_blocker,
        slug,
        (lat - 0.001, lon + 0.001),
        f"Aspal mengelupas di depan sekolah {token}.",
    )
    opd = report_row(web_cities, django_db_blocker, slug, a)["opd"]
    assert opd == report_row(web_cities, django_db_blocker, slug, b)["opd"]

    def make_a_overdue():
        from django.utils import timezone

        connection.set_tenant(web_cities[slug])
        Report.objects.filter(tracking_code=a).update(
            resolution_due_at=timezone.now() - timedelta(hours=2)
        )

    run_in_thread(django_db_blocker, make_a_overdue)

    page = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    page.goto(server.url(slug, "/respond/"))
    staff_sign_in(page, staff_user(slug, "opd_responder", opd))
    for code in (a, b):
        page.locator(f'li.queue-item[data-code="{code}"]').wait_for(timeout=15000)
    no_sideways_scroll(page)  # the address with no spaces wraps
    shot(page, "pkp-01-queue-phone")

    def codes() -> set[str]:
        return set(page.locator("li.queue-item").evaluate_all("xs => xs.map(x => x.dataset.code)"))

    def narrowed(expect: set[str]) -> None:
        page.wait_for_function(
            """exp => JSON.stringify([...document.querySelectorAll('li.queue-item')]
                 .map(x => x.dataset.code).sort()) === JSON.stringify(exp)""",
            arg=sorted(expect),
            timeout=10000,
        )
        assert codes() == expect

    page.fill("#queue-search", f"merdeka {token}")
    narrowed({a})
    page.fill("#queue-search", b.lower().replace("-", ""))
    narrowed({b})
    page.fill("#queue-search", token)
    narrowed({a, b})
    page.click("#more-filters summary")  # folded on a phone
    page.check("#filter-overdue")
    narrowed({a})
    card = page.locator(f'li.queue-item[data-code="{a}"]')
    assert "terlambat" in card.locator(".due").inner_text()
    shot(page, "pkp-02-queue-filtered-phone")
    page.select_option("#filter-category", "sampah")
    page.wait_for_selector("#queue .empty", timeout=10000)
    assert "Tidak ada laporan yang cocok" in page.locator("#queue").inner_text()
    page.click("#filter-clear")
    page.wait_for_selector(f'li.queue-item[data-code="{b}"]', timeout=10000)

    # The same queue at a desk, in English, with the map beside it.
    desk = browser.new_context(viewport=DESK, locale="en-GB")
    dp = desk.new_page()
    dp.goto(server.url(slug, "/respond/"))
    staff_sign_in(dp, staff_user(slug, "opd_responder", opd))
    dp.locator(f'li.queue-item[data-code="{a}"]').wait_for(timeout=15000)
    dp.select_option("#lang", "en")
    dp.wait_for_selector("h1:has-text('My agency queue')", timeout=15000)
    dp.wait_for_selector("#queue[data-loaded]", timeout=15000)
    dp.fill("#queue-search", token)
    dp.wait_for_function("() => document.querySelectorAll('li.queue-item').length === 2")
    assert dp.locator(".queue-map .citymap").is_visible()
    assert "Due:" in dp.locator(f'li.queue-item[data-code="{a}"] .due').inner_text()
    shot(dp, "pkp-03-queue-desk-en")
    desk.close()


def test_a_survey_result_sent_offline_is_kept_and_recorded_once_back_online(
    db, server, browser, web_cities, staff_user, django_db_blocker, tmp_path, shot
):
    slug = "web-jkt"
    lat, lon = JAKARTA
    near = (lat + 0.0004, lon - 0.0004)
    code = submit(web_cities, django_db_blocker, slug, near, "Trotoar amblas dekat halte bus.")
    to_survey(server, staff_user, slug, code)

    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    page.goto(server.url(slug, "/survei/"))
    staff_sign_in(page, staff_user(slug, "survey_officer"))
    item = page.locator(f'li.survey-item[data-code="{code}"]')
    item.wait_for(timeout=15000)

    context.set_offline(True)
    item.get_by_label("Sesuai laporan (ditemukan)").check()
    item.locator('textarea[name="survey-note"]').fill("Trotoar amblas 2 m, berbahaya.")
    item.locator('input[name="survey-photo"]').set_input_files(
        str(fresh_photo(tmp_path, near[0], near[1], "survei-offline"))
    )
    item.locator('[data-action="survey"]').click()
    page.wait_for_selector("#survey-pending .alert", timeout=15000)
    assert "1 hasil survei menunggu sinyal" in page.locator("#survey-pending").inner_text()
    assert "disimpan di ponsel" in item.locator(".card-out").inner_text()
    shot(page, "jkt-07-survey-offline-queued-phone")
    assert report_row(web_cities, django_db_blocker, slug, code)["status"] == "field_survey"

    context.set_offline(False)  # the 'online' event sends what waited
    page.wait_for_function("() => !document.querySelector('#survey-pending .alert')", timeout=30000)
    row = report_row(web_cities, django_db_blocker, slug, code)
    assert row["status"] == "assigned" and row["surveys"] == 1 and row["survey_photos"] == 1

    # Opening the view again sends nothing twice (the queue is empty, the key spent).
    page.reload()
    page.wait_for_selector("#survey-list[data-loaded]", timeout=15000)
    assert page.locator("#survey-pending .alert").count() == 0
    assert report_row(web_cities, django_db_blocker, slug, code)["surveys"] == 1
    shot(page, "jkt-08-survey-back-online-phone")
    context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_survey_view_reads_in_both_languages_on_a_phone(
    lang, db, server, browser, web_cities, staff_user, shot
):
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    page.goto(server.url("web-jkt", "/survei/"))
    page.select_option("#lang", lang)
    staff_sign_in(page, staff_user("web-jkt", "survey_officer"))
    page.wait_for_selector("#survey-list[data-loaded]", timeout=15000)
    title = page.locator("h1").inner_text()
    assert title == ("Survei lapangan hari ini" if lang == "id" else "Today's field surveys")
    no_sideways_scroll(page)
    shot(page, f"jkt-09-survey-{lang}-phone")
    context.close()
