"""Issue 16 tasks 5 and 9: SLA targets in words, the working calendar, the
due-time tester, and the ranking preview/publish and public pages."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from cityconfig.durations import (
    DurationError,
    HumanDurationField,
    describe_duration,
    parse_human_duration,
)
from cityconfig.models import Category, CityProfile, ConfigRevision, SlaRule
from tests.test_admin_security import make_staff

WITA = ZoneInfo("Asia/Makassar")


@pytest.mark.parametrize(
    ("typed", "canonical", "clock"),
    [
        ("2 jam", "2h", None),
        ("2 Jam", "2h", None),
        ("2jam", "2h", None),
        ("6h", "6h", None),
        ("7d", "7d", None),
        ("90 menit", "90m", None),
        ("90m", "90m", None),
        ("1,5 jam", "90m", None),
        ("1.5 hours", "90m", None),
        ("0,5 hari", "12h", None),
        ("2 hari", "2d", None),
        ("2 hours", "2h", None),
        ("1 hour", "1h", None),
        ("3 hari kerja", "3d", "working"),
        ("3 working days", "3d", "working"),
        ("4 jam kerja", "4h", "working"),
        ("1 hari kalender", "1d", "calendar"),
        ("  15   menit ", "15m", None),
    ],
)
def test_durations_as_people_type_them(typed, canonical, clock):
    parsed = parse_human_duration(typed)
    assert (parsed.canonical, parsed.clock) == (canonical, clock)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("dua jam", "2 jam"),
        ("", "2 jam"),
        ("0", "nol"),
        ("-3 jam", "nol"),
        ("0 jam", "nol"),
        ("1000 hari", "365"),
        ("2 minggu", "2 jam"),
        ("jam 2", "2 jam"),
        ("1,25 menit", "menit"),
        ("2h30", "2 jam"),
    ],
)
def test_garbage_durations_say_what_they_want(typed, says):
    with translation.override("id"), pytest.raises(DurationError) as caught:
        parse_human_duration(typed)
    assert says in caught.value.message


@pytest.mark.parametrize(
    ("canonical", "clock", "lang", "words"),
    [
        ("2h", None, "id", "2 jam"),
        ("3d", "working", "id", "3 hari kerja"),
        ("90m", None, "id", "90 menit"),
        ("1d", "calendar", "id", "1 hari kalender"),
        ("1h", None, "en", "1 hour"),
        ("2h", None, "en", "2 hours"),
        ("3d", "working", "en", "3 working days"),
    ],
)
def test_durations_described_in_words_parse_back(canonical, clock, lang, words):
    assert describe_duration(canonical, clock, lang) == words
    assert parse_human_duration(words).canonical == canonical


def test_the_duration_field_shows_the_stored_value_in_words():
    field = HumanDurationField()
    with translation.override("id"):
        assert 'value="2 jam"' in field.widget.render("x", "2h")
        assert field.clean("2 jam") == "2h"
    with translation.override("en"):
        assert 'value="3 days"' in field.widget.render("x", "3d")
        assert field.clean("3 days") == "3d"


@pytest.fixture
def mataram_admin(cities):
    city = cities["mataram"]
    make_staff(city, "diskominfo-sla")
    browser = Client(HTTP_HOST="mataram.localhost")
    response = browser.post(
        "/admin/login/", {"username": "diskominfo-sla", "password": "pw-Kanal-123", "next": "/"}
    )
    assert response.status_code == 302
    connection.set_tenant(city)
    return browser


def _rule_data(rule: SlaRule, **changes) -> dict:
    data = {
        "category": str(rule.category_id or ""),
        "priority": rule.priority,
        "response": rule.response,
        "resolution": rule.resolution,
        "clock": rule.clock,
        "active": "on",
        "position": str(rule.position),
    }
    data.update(changes)
    return data


def test_an_sla_rule_typed_in_words_is_saved_canonical_and_listed_in_words(mataram_admin):
    rule = SlaRule.objects.get(category__code="sampah")
    url = f"/admin/cityconfig/slarule/{rule.pk}/change/"
    revisions = ConfigRevision.objects.count()
    response = mataram_admin.post(
        url, _rule_data(rule, response="2 jam", resolution="3 hari kerja")
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.response, rule.resolution) == ("2h", "3d")
    assert ConfigRevision.objects.count() == revisions + 1

    page = mataram_admin.get(url).content.decode()
    assert 'value="2 jam"' in page
    listing = mataram_admin.get("/admin/cityconfig/slarule/").content.decode()
    assert "Sampah Menumpuk/Tidak Diangkut: respons 2 jam kerja, selesai 3 hari kerja" in listing


def test_a_clock_typed_against_the_chosen_clock_is_a_field_error(mataram_admin):
    rule = SlaRule.objects.get(category__code="sampah")
    url = f"/admin/cityconfig/slarule/{rule.pk}/change/"
    response = mataram_admin.post(url, _rule_data(rule, resolution="3 hari kalender"))
    assert response.status_code == 200
    assert "resolution" in response.context["adminform"].form.errors


@pytest.mark.parametrize("typed", ["dua jam", "0", "-3 jam", "1000 hari", ""])
def test_a_garbage_sla_target_is_a_field_error_and_not_saved(mataram_admin, typed):
    rule = SlaRule.objects.get(category__code="sampah")
    before = rule.response
    url = f"/admin/cityconfig/slarule/{rule.pk}/change/"
    response = mataram_admin.post(url, _rule_data(rule, response=typed))
    assert response.status_code == 200
    assert "response" in response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert rule.response == before


def test_the_sla_policy_is_edited_in_words(mataram_admin):
    response = mataram_admin.get("/admin/cityconfig/slarule/kebijakan/")
    assert response.status_code == 200
    assert 'value="10 hari"' in response.content.decode()
    response = mataram_admin.post(
        "/admin/cityconfig/slarule/kebijakan/",
        {
            "at_risk_percent": "75",
            "pause_while_waiting_for_citizen": "on",
            "auto_close_after": "14 hari",
            "escalation": ["breached:command_center"],
        },
    )
    assert response.status_code == 302
    settings = CityProfile.load().sla_settings
    assert settings["at_risk_ratio"] == 0.75
    assert settings["auto_close_after"] == "14d"
    assert settings["restart_on_forward"] is False
    assert settings["escalation"] == [{"when": "breached", "to": "command_center"}]

    response = mataram_admin.post(
        "/admin/cityconfig/slarule/kebijakan/",
        {"at_risk_percent": "150", "auto_close_after": "lama"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"at_risk_percent", "auto_close_after"} <= set(errors)
    assert CityProfile.load().sla_settings["auto_close_after"] == "14d"


def _calendar_post(calendar: dict, **changes) -> dict:
    data = {"public_holidays": "on"}
    for day, hours in calendar["working_hours"].items():
        if hours:
            data[f"{day}_start"], data[f"{day}_end"] = hours.split("-")
        else:
            data[f"{day}_closed"] = "on"
    days_off = calendar.get("days_off", [])
    data["libur-TOTAL_FORMS"] = str(len(days_off) + 1)
    data["libur-INITIAL_FORMS"] = str(len(days_off))
    for i, day in enumerate(days_off):
        data[f"libur-{i}-date"], data[f"libur-{i}-name"] = day["date"], day["name"]
    data["masuk-TOTAL_FORMS"] = "1"
    data["masuk-INITIAL_FORMS"] = "0"
    data.update(changes)
    return data


def test_the_working_calendar_is_saved_and_bad_hours_are_refused(mataram_admin):
    url = "/admin/cityconfig/slarule/kalender/"
    page = mataram_admin.get(url)
    assert page.status_code == 200
    assert 'type="date"' in page.content.decode() and 'value="2026-12-24"' in page.content.decode()
    calendar = CityProfile.load().calendar
    n = len(calendar["days_off"])
    revisions = ConfigRevision.objects.count()
    response = mataram_admin.post(
        url,
        _calendar_post(
            calendar,
            sat_start="08:00",
            sat_end="12:00",
            sat_closed="",
            **{f"libur-{n}-date": "2026-12-31", f"libur-{n}-name": "Cuti bersama Tahun Baru"},
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    saved = CityProfile.load().calendar
    assert saved["working_hours"]["sat"] == "08:00-12:00"
    assert {"date": "2026-12-31", "name": "Cuti bersama Tahun Baru"} in saved["days_off"]
    assert len(saved["days_off"]) == n + 1  # the existing days off are kept
    assert ConfigRevision.objects.count() == revisions + 1

    response = mataram_admin.post(url, _calendar_post(saved, mon_start="16:00", mon_end="08:00"))
    assert response.status_code == 200
    assert "mon_end" in response.context["form"].errors
    response = mataram_admin.post(url, _calendar_post(saved, tue_start="", tue_end=""))
    assert response.status_code == 200
    assert "tue_start" in response.context["form"].errors
    response = mataram_admin.post(
        url,
        _calendar_post(saved, **{f"libur-{n + 1}-date": "31-13-2026", f"libur-{n + 1}-name": "x"}),
    )
    assert response.status_code == 200
    assert CityProfile.load().calendar == saved


def test_the_due_tester_matches_the_sla_code_over_a_weekend_and_holidays(mataram_admin):
    from sla import services

    category = Category.objects.get(code="jalan-rusak")  # 1 hari kerja / 10 hari kerja
    friday = dt.datetime(2026, 12, 18, 15, 0, tzinfo=WITA)
    report = SimpleNamespace(
        category_id=category.pk,
        priority="",
        sla_targets=None,
        escalations=[],
        acknowledged_at=None,
        paused_at=None,
    )
    services.start_clocks(report, friday)

    response = mataram_admin.get(
        "/admin/cityconfig/slarule/tenggat/",
        {"category": category.pk, "start": "2026-12-18T15:00"},
    )
    assert response.status_code == 200
    estimate = response.context["estimate"]
    assert estimate.response_due == report.response_due_at
    assert estimate.resolution_due == report.resolution_due_at
    assert estimate.response_due.astimezone(WITA).date() == dt.date(2026, 12, 21)  # Monday
    skipped = {s.day: s.reason for s in estimate.skipped}
    assert skipped[dt.date(2026, 12, 19)] == "closed"
    assert skipped[dt.date(2026, 12, 24)] == "day_off"
    assert skipped[dt.date(2026, 12, 25)] == "holiday"
    page = response.content.decode()
    assert "WITA" in page and "Jalan Rusak" in page and "Cuti bersama Hari Raya Natal" in page

    bad = mataram_admin.get(
        "/admin/cityconfig/slarule/tenggat/", {"category": "999999", "start": "x"}
    )
    assert bad.status_code == 200 and bad.context["estimate"] is None


def test_another_citys_sla_rules_are_not_reachable(mataram_admin, cities):
    connection.set_tenant(cities["serang"])
    serang_rule = SlaRule.objects.exclude(pk__in=[]).order_by("-pk").first()
    connection.set_tenant(cities["mataram"])
    mataram_pks = set(SlaRule.objects.values_list("pk", flat=True))
    if serang_rule.pk not in mataram_pks:
        response = mataram_admin.get(f"/admin/cityconfig/slarule/{serang_rule.pk}/change/")
        assert response.status_code in (302, 404)
    serang = Client(HTTP_HOST="serang.localhost")
    serang.cookies = mataram_admin.cookies
    assert serang.get("/admin/cityconfig/slarule/kalender/").status_code == 302  # to login


# --- Rankings (task 9) -----------------------------------------------------

from tests.ranking.test_ranking import fixture  # noqa: E402, F401


def test_mataram_does_not_publish_rankings_through_any_door(world):
    from kanal.errors import Unavailable
    from ranking.models import RankingSnapshot
    from ranking.services import publish_ranking

    admin = world("mataram").staff("diskominfo_admin")
    with translation.override("id"), pytest.raises(Unavailable) as caught:
        publish_ranking(admin, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert "tidak menerbitkan peringkat" in caught.value.message
    assert "not publish" in caught.value.message_in("en") or caught.value.message_in("en")
    assert not RankingSnapshot.objects.exists()


def test_the_mataram_preview_has_filled_dates_and_offers_no_publish_button(mataram_admin):
    page = mataram_admin.get("/admin/ranking/rankingsnapshot/preview/")
    assert page.status_code == 200
    html = page.content.decode()
    start, end = page.context["form"].initial["start"], page.context["form"].initial["end"]
    assert f'value="{start:%Y-%m-%d}"' in html and f'value="{end:%Y-%m-%d}"' in html
    assert 'name="publish"' not in html
    assert "tidak menerbitkan peringkat" in html
    forced = mataram_admin.post(
        "/admin/ranking/rankingsnapshot/preview/",
        {"start": "2026-10-01", "end": "2026-10-31", "publish": "1"},
    )
    assert forced.status_code == 200  # refused in words, shown as a message
    assert "tidak menerbitkan peringkat" in forced.content.decode()
    bad = mataram_admin.post(
        "/admin/ranking/rankingsnapshot/preview/", {"start": "2026-10-31", "end": "2026-10-01"}
    )
    assert bad.status_code == 200 and "end" in bad.context["form"].errors


def test_the_default_period_has_reports(fixture):  # noqa: F811
    from ranking.services import compute_ranking, default_period

    for today in (dt.date(2026, 11, 15), dt.date(2026, 10, 20), dt.date(2027, 3, 1)):
        start, end = default_period(today)
        assert compute_ranking(start, end).total_reports > 0, today


def test_the_public_ranking_is_filtered_and_paginated(fixture, world, monkeypatch):  # noqa: F811
    from ranking import views
    from ranking.services import publish_ranking

    admin = world("kotacontoh").staff("diskominfo_admin")
    snapshot = publish_ranking(admin, dt.date(2026, 10, 5), dt.date(2026, 10, 11))
    quiet = [r["opd_name"] for r in snapshot.rows if not r["received"]]
    assert quiet  # Dinas PUPR has none
    browser = Client(HTTP_HOST="kotacontoh.localhost")
    url = f"/peringkat/v{snapshot.version}/"
    page = browser.get(url).content.decode()
    assert "Dinas Lingkungan Hidup" in page
    assert f'<td class="opd">{quiet[0]}</td>' not in page
    assert "?semua=1" in page
    everything = browser.get(url, {"semua": "1"}).content.decode()
    assert f'<td class="opd">{quiet[0]}</td>' in everything

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 1)
    first = browser.get(url)
    assert first.context["page"].paginator.num_pages == 2
    assert "halaman=2" in first.content.decode()
    second = browser.get(url, {"halaman": "2"})
    assert second.context["page"].number == 2
    assert browser.get(url, {"halaman": "zzz"}).status_code == 200
    assert browser.get(url, {"halaman": "999"}).status_code == 200
