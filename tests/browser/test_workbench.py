"""The operator workbench (/kerja/) in a real browser: an operator triages a
report (accepted → routed to the OPD the city's rules name), merges two
duplicates (both reporters then follow the main report) and blurs a face by
dragging a box on the photo (public copy changed inside the box only, the
original untouched)."""

from __future__ import annotations

import io
import secrets

from django.db import connection
from PIL import Image, ImageChops, ImageStat

from tests.browser.conftest import run_in_thread
from tests.browser.test_web_app import staff_sign_in

SLUG = "web-pkp"
DESK = {"width": 1440, "height": 900}
PHONE = {"width": 412, "height": 915}
WALL = {"width": 1920, "height": 1080}


def _phone() -> str:
    return f"+62812{secrets.randbelow(10**8):08d}"


def make_reports(web_cities, django_db_blocker, *, twins: bool, spot: int):
    """A verified report and (twins) a second one nearby from another citizen,
    which the checks send to triage with the first as possible duplicate.
    Returns the tracking codes [first, second?]."""
    from tests.factories import CENTERS, CityWorld

    def create():
        city = CityWorld(web_cities[SLUG])
        lat, lon = CENTERS["pangkalpinang"]
        near = (lat + 0.0006 * spot, lon - 0.0006 * spot)
        first = city.submit(city.citizen(_phone()), category_code="jalan-rusak", near=near).report
        codes = [first.tracking_code]
        if twins:
            second = city.submit(
                city.citizen(_phone()), category_code="jalan-rusak", near=near
            ).report
            assert second.status == "triage", second.checks
            assert second.possible_duplicates == codes
            codes.append(second.tracking_code)
        connection.set_schema_to_public()
        return codes

    return run_in_thread(django_db_blocker, create)


def in_city(web_cities, django_db_blocker, fn):
    def call():
        connection.set_tenant(web_cities[SLUG])
        try:
            return fn()
        finally:
            connection.set_schema_to_public()

    return run_in_thread(django_db_blocker, call)


def done(page) -> None:
    """Wait for the action's answer; an error box fails the test with its text."""
    page.wait_for_selector("#action-status .alert.ok, #work-detail .alert.error", timeout=15000)
    errors = page.locator("#work-detail .alert.error")
    assert errors.count() == 0, errors.all_inner_texts()


def open_workbench(browser, server, staff_user, code: str, viewport=DESK, locale="id-ID"):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.goto(server.url(SLUG, f"/kerja/{code}"))
    staff_sign_in(page, staff_user(SLUG, "operator"))
    page.wait_for_selector(f'#work-code:text("{code}")', timeout=15000)
    return context, page


def test_operator_accepts_a_triaged_report_and_it_goes_to_the_rules_opd(
    db, server, browser, web_cities, staff_user, django_db_blocker, shot
):
    first, second = make_reports(web_cities, django_db_blocker, twins=True, spot=1)
    context, page = open_workbench(browser, server, staff_user, second)
    page.wait_for_selector(f'#work-queue li[data-code="{second}"]')
    page.wait_for_selector(f'.dup-card[data-dup="{first}"]', timeout=15000)
    assert page.locator(".verdict .checks li").count() >= 3
    assert page.locator(".work-photos img").count() >= 1
    assert page.locator(".work-media .citymap").count() == 1
    # An operator is offered triage and moderation, never an OPD's own moves.
    for offered in ("accept", "reject", "ask", "merge", "hide", "blur"):
        assert page.locator(f'[data-action="{offered}"]').count() >= 1, offered
    assert page.locator('[data-action="acknowledge"], [data-action="resolve"]').count() == 0
    shot(page, "workbench-01-triage-desk-id")
    page.set_viewport_size(PHONE)
    shot(page, "workbench-02-triage-phone-id")
    page.set_viewport_size(WALL)
    shot(page, "workbench-03-triage-wall-id")
    page.set_viewport_size(DESK)

    page.fill('textarea[name="decision-note"]', "Sesuai foto, teruskan.")
    page.click('[data-action="accept"]')
    done(page)

    def routed():
        from reports.models import Report
        from routing.services import route

        report = Report.objects.select_related("opd", "category", "area").get(tracking_code=second)
        return report.status, report.opd.code, route(report.category, report.area).opd.code

    status, opd, expected = in_city(web_cities, django_db_blocker, routed)
    assert status == "assigned" and opd == expected
    page.wait_for_selector(f'#work-code:text("{second}")')
    context.close()

    english, page = open_workbench(browser, server, staff_user, first, locale="en-GB")
    page.select_option("#lang", "en")
    page.wait_for_selector("text=Operator workbench", timeout=15000)
    shot(page, "workbench-04-desk-en")
    english.close()


def test_operator_merges_two_duplicates_and_both_reporters_follow_the_main(
    db, server, browser, web_cities, staff_user, django_db_blocker, shot
):
    first, second = make_reports(web_cities, django_db_blocker, twins=True, spot=2)
    context, page = open_workbench(browser, server, staff_user, second)
    merge = page.locator(f'[data-action="merge"][data-into="{first}"]')
    merge.wait_for(timeout=15000)
    shot(page, "workbench-05-duplicates")
    merge.click()
    done(page)

    def merged():
        from notifications.models import OutboxMessage
        from reports.models import Report

        dup = Report.objects.select_related("merged_into").get(tracking_code=second)
        main = Report.objects.get(tracking_code=first)
        told = OutboxMessage.objects.filter(kind="report.merged", citizen_id=dup.reporter_id)
        return dup.status, dup.merged_into.tracking_code, main.merged_count, told.exists()

    status, into, count, told = in_city(web_cities, django_db_blocker, merged)
    assert (status, into, count, told) == ("merged", first, 1, True)
    context.close()


def _photo_bytes(server, path: str) -> bytes:
    with server.fetch(SLUG, path) as response:
        return response.read()


def _diff(a: Image.Image, b: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def test_operator_blurs_a_face_by_dragging_a_box(
    db, server, browser, web_cities, staff_user, django_db_blocker, shot
):
    (code,) = make_reports(web_cities, django_db_blocker, twins=False, spot=3)
    path = f"/media/laporan/{code}/report/0.jpg"

    def original():
        from reports.models import Report

        photo = Report.objects.get(tracking_code=code).photos.get(kind="report", position=0)
        with photo.original.open("rb") as handle:
            return handle.read()

    original_before = in_city(web_cities, django_db_blocker, original)
    public_before = _photo_bytes(server, path)

    context, page = open_workbench(browser, server, staff_user, code)
    page.click('.work-blur[data-photo="0"] summary')
    stage = page.locator('[data-role="blur-stage"]').first
    stage.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('.blur-photo')?.naturalWidth > 0", timeout=15000
    )
    box = stage.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.35, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=5)
    page.mouse.up()
    assert abs(float(page.input_value('input[name="bx"]')) - 20) < 2
    assert abs(float(page.input_value('input[name="bw"]')) - 30) < 2
    shot(page, "workbench-06-blur-box")
    page.click('[data-action="blur"]')
    done(page)
    page.click('.work-blur[data-photo="0"] summary')
    page.wait_for_function(
        "() => document.querySelector('.work-photos img')?.src.includes('v=')", timeout=15000
    )
    shot(page, "workbench-07-blurred")
    context.close()

    public_after = _photo_bytes(server, path)
    assert public_after != public_before
    before = Image.open(io.BytesIO(public_before)).convert("L")
    after = Image.open(io.BytesIO(public_after)).convert("L")
    w, h = before.size
    inside = (int(0.25 * w), int(0.25 * h), int(0.45 * w), int(0.45 * h))
    outside = (int(0.6 * w), int(0.6 * h), w, h)
    assert _diff(before.crop(inside), after.crop(inside)) > 4
    assert _diff(before.crop(outside), after.crop(outside)) < 2  # JPEG re-encoding only
    assert in_city(web_cities, django_db_blocker, original) == original_before
