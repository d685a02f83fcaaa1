"""OPD ranking figures on a hand-computed fixture, red cards, publishing,
immutability and the CSV/XLSX/PNG downloads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from cityconfig.models import Category, CityProfile, Opd
from kanal.errors import InvalidInput, PermissionDenied
from ranking.models import RankingSnapshot
from ranking.services import compute_ranking, publish_ranking

# 2026-10-05 is a Monday; all fixture reports are assigned that week (WITA).
ASSIGNED = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # 10:00 WITA
NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def fixture(world):
    """DLH: 4 reports (3 on time; response 30/60/90/120 min; ratings 5,5,3; 1 reopened).
    Bina Marga: 5 reports, 1 resolved on time, 4 overdue and open (a red card).
    Dinas PUPR: responder without reports."""
    world("kotacontoh")
    from reports.models import Report

    category = Category.objects.get(code="sampah")
    dlh, bina_marga = Opd.objects.get(code="dlh"), Opd.objects.get(code="pupr-bina-marga")
    rows = [
        # opd, responded/resolved within, response/resolution min, rating, reopen, status, due
        (dlh, True, True, 30, 600, 5, 0, "closed", None),
        (dlh, True, True, 60, 700, 5, 1, "closed", None),
        (dlh, True, True, 90, 800, 3, 0, "closed", None),
        (dlh, False, False, 120, 2000, None, 0, "resolved", None),
        (bina_marga, True, True, 10, 100, None, 0, "closed", None),
        *[(bina_marga, False, None, None, None, None, 0, "assigned", NOW - timedelta(days=1))] * 4,
    ]
    for index, (opd, rw, sw, rmin, smin, rating, reopen, status, due) in enumerate(rows):
        Report.objects.create(
            tracking_code=f"RANK-{index:04d}",
            category=category,
            description="Laporan uji peringkat.",
            latitude=-8.58,
            longitude=116.10,
            channel="app",
            opd=opd,
            status=status,
            assigned_at=ASSIGNED + timedelta(hours=index),
            resolved_at=ASSIGNED + timedelta(days=1) if sw is not None else None,
            responded_within_sla=rw,
            resolved_within_sla=sw,
            response_minutes=rmin,
            resolution_minutes=smin,
            rating=rating,
            reopen_count=reopen,
            resolution_due_at=due,
        )
    # One report outside the period must not count.
    Report.objects.create(
        tracking_code="RANK-LATE",
        category=category,
        description="Di luar periode.",
        latitude=-8.58,
        longitude=116.10,
        channel="app",
        opd=dlh,
        status="closed",
        assigned_at=ASSIGNED + timedelta(days=30),
        responded_within_sla=False,
    )
    profile = CityProfile.load()
    profile.ranking = {
        "period": "weekly",
        "weights": {
            "response_within_sla": 0.4,
            "resolution_within_sla": 0.4,
            "citizen_rating": 0.1,
            "reopen_rate": 0.1,
        },
        "red_card": {
            "min_reports": 5,
            "resolution_within_sla_below": 0.5,
            "overdue_backlog_above": 3,
        },
    }
    profile.save()


def rows_by_code(result):
    return {row.opd_code: row for row in result.rows}


def test_figures_match_the_hand_computation(fixture):
    result = compute_ranking(date(2026, 10, 5), date(2026, 10, 11), now=NOW)
    dlh = rows_by_code(result)["dlh"]
    assert dlh.received == 4
    assert dlh.responded_within_pct == 75.0
    assert dlh.resolved_within_pct == 75.0
    assert dlh.response_median_minutes == 75.0  # percentile_cont of 30,60,90,120
    assert dlh.response_p90_minutes == 111.0  # 90 + 0.7 * 30
    assert dlh.resolution_median_minutes == 750.0
    assert dlh.rating_avg == pytest.approx(4.33, abs=0.01)
    assert dlh.reopen_rate_pct == 25.0  # 1 of 4 resolved
    # 100 × (0.4·0.75 + 0.4·0.75 + 0.1·(4.333−1)/4 + 0.1·0.75) / 1.0
    assert dlh.score == pytest.approx(75.8, abs=0.05)
    assert not dlh.red_card


def test_red_card_names_its_reasons(fixture):
    bina_marga = rows_by_code(compute_ranking(date(2026, 10, 5), date(2026, 10, 11), now=NOW))[
        "pupr-bina-marga"
    ]
    assert (bina_marga.received, bina_marga.overdue) == (5, 4)
    assert bina_marga.resolved_within_pct == 20.0
    assert bina_marga.red_card
    reasons = [r["id"] for r in bina_marga.red_card_reasons]
    assert reasons == [
        "Penyelesaian tepat waktu 20.0% (di bawah 50%)",
        "4 laporan melewati tenggat (batas 3)",
    ]


def test_ranks_order_by_score_and_opds_without_reports_come_last_unranked(fixture):
    result = compute_ranking(date(2026, 10, 5), date(2026, 10, 11), now=NOW)
    ranked = [(r.opd_code, r.rank) for r in result.rows if r.rank]
    assert ranked[0] == ("dlh", 1)
    assert ranked[1][0] == "pupr-bina-marga"
    pupr = rows_by_code(result)["dinas-pupr"]
    assert (pupr.received, pupr.score, pupr.rank, pupr.red_card) == (0, None, None, False)


def test_a_period_without_reports_ranks_nobody_and_cannot_be_published(fixture, world):
    result = compute_ranking(date(2025, 1, 1), date(2025, 1, 31), now=NOW)
    assert result.total_reports == 0 and all(r.rank is None for r in result.rows)
    admin = world("kotacontoh").staff("diskominfo_admin")
    with pytest.raises(InvalidInput) as caught:
        publish_ranking(admin, date(2025, 1, 1), date(2025, 1, 31))
    assert caught.value.code == "EMPTY_RANKING"


def test_zero_weights_do_not_divide_by_zero(fixture):
    profile = CityProfile.load()
    profile.ranking = {
        **profile.ranking,
        "weights": {
            "response_within_sla": 0,
            "resolution_within_sla": 0,
            "citizen_rating": 0,
            "reopen_rate": 0,
        },
    }
    profile.save()
    result = compute_ranking(date(2026, 10, 5), date(2026, 10, 11), now=NOW)
    assert all(row.score is None for row in result.rows)


def test_reversed_period_is_refused(fixture):
    with pytest.raises(InvalidInput):
        compute_ranking(date(2026, 10, 11), date(2026, 10, 5))


def test_publishing_needs_diskominfo_and_freezes_a_new_version(fixture, world):
    city = world("kotacontoh")
    with pytest.raises(PermissionDenied):
        publish_ranking(city.staff("opd_head", "dlh"), date(2026, 10, 5), date(2026, 10, 11))
    admin = city.staff("diskominfo_admin")
    first = publish_ranking(admin, date(2026, 10, 5), date(2026, 10, 11))
    second = publish_ranking(admin, date(2026, 10, 5), date(2026, 10, 11), "Koreksi")
    assert (first.version, second.version) == (1, 2)
    assert len(first.content_sha256) == 64 and first.content_sha256 != second.content_sha256
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingSnapshot.objects.filter(pk=first.pk).update(title="diubah")
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingSnapshot.objects.filter(pk=first.pk).delete()


def test_public_page_and_downloads(fixture, world):
    from openpyxl import load_workbook

    admin = world("kotacontoh").staff("diskominfo_admin")
    snapshot = publish_ranking(admin, date(2026, 10, 5), date(2026, 10, 11))
    browser = Client(HTTP_HOST="kotacontoh.localhost")
    page = browser.get(f"/peringkat/v{snapshot.version}/").content.decode()
    assert "Dinas Lingkungan Hidup" in page and snapshot.content_sha256 in page

    rows = list(
        csv.reader(io.StringIO(browser.get(f"/peringkat/v{snapshot.version}.csv").content.decode()))
    )
    assert rows[0][:3] == ["Peringkat", "OPD", "Laporan diterima"]
    assert rows[1][:3] == ["1", "Dinas Lingkungan Hidup", "4"]
    assert any(r[-1].startswith("Ya: Penyelesaian tepat waktu 20.0%") for r in rows[1:])

    book = load_workbook(io.BytesIO(browser.get(f"/peringkat/v{snapshot.version}.xlsx").content))
    sheet = book.active
    assert sheet["A1"].value == snapshot.title
    assert [c.value for c in sheet[4]][:3] == [1, "Dinas Lingkungan Hidup", 4]

    png = browser.get(f"/peringkat/v{snapshot.version}.png")
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert browser.get("/peringkat/v99/").status_code == 404


@pytest.mark.isolation
def test_published_ranking_is_not_visible_from_another_city(fixture, world):
    admin = world("kotacontoh").staff("diskominfo_admin")
    snapshot = publish_ranking(admin, date(2026, 10, 5), date(2026, 10, 11))
    other = Client(HTTP_HOST="serang.localhost").get(f"/peringkat/v{snapshot.version}/")
    assert other.status_code == 404
