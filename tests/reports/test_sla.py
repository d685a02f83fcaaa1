"""SLA clocks on real reports: targets per city and category, pause while
waiting for the citizen, forward rules, and the breach sweep (idempotent and
safe to run twice at once)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from cityconfig.models import CityProfile
from onboarding.loading import parse_config
from onboarding.services import apply_config
from reports import actions
from reports.models import Report
from sla.sweep import sweep_city
from tenants.models import City
from tests.conftest import FIXTURES
from tests.factories import CityWorld


def test_jakarta_response_target_is_six_calendar_hours(world):
    city = world("jakarta")
    report = city.submit(area_code="31.71.01.1001").report
    actions.triage_accept(city.staff("operator"), report.tracking_code)
    actions.record_field_survey(
        city.staff("survey_officer"), report.tracking_code, found=True, note="Ada."
    )
    report.refresh_from_db()
    assert report.sla_targets["clock"] == "calendar"
    assert report.response_due_at - report.assigned_at == timedelta(hours=6)
    assert report.resolution_due_at - report.assigned_at == timedelta(days=7)


def test_working_time_targets_are_later_than_calendar_ones(world):
    city = world("kotacontoh")  # jalan-rusak: 1 working day / 7 working days
    report = city.submit().report
    assert report.sla_targets == {"response": "1d", "resolution": "7d", "clock": "working"}
    assert report.resolution_due_at - report.assigned_at >= timedelta(days=7)
    assert report.response_at_risk_at < report.response_due_at


def test_waiting_for_the_citizen_pauses_the_clock(world):
    city = world("kotacontoh")
    report = city.submit().report
    responder = city.staff("opd_responder", report.opd.code)
    actions.acknowledge(responder, report.tracking_code)
    due_before = Report.objects.get(pk=report.pk).resolution_due_at
    actions.request_info(responder, report.tracking_code, "Di sisi jalan yang mana?")
    paused = Report.objects.get(pk=report.pk)
    assert paused.paused_at is not None and paused.sla_next_check_at is None
    # Two days pass (made so by moving the pause back in time).
    Report.objects.filter(pk=report.pk).update(paused_at=paused.paused_at - timedelta(days=2))
    actions.provide_info(city.citizen(), report.tracking_code, "Sisi utara, depan masjid.")
    resumed = Report.objects.get(pk=report.pk)
    assert resumed.paused_at is None and resumed.paused_minutes > 0
    assert resumed.resolution_due_at > due_before


@pytest.mark.parametrize("restart", [True, False])
def test_forwarding_restarts_the_clock_only_where_the_city_says_so(world, restart):
    city = world("kotacontoh")
    profile = CityProfile.load()
    profile.sla_policy = {**profile.sla_policy, "restart_on_forward": restart}
    profile.save()
    report = city.submit().report
    # As if it had been assigned three days ago.
    before = Report.objects.get(pk=report.pk).resolution_due_at - timedelta(days=3)
    Report.objects.filter(pk=report.pk).update(resolution_due_at=before)
    responder = city.staff("opd_responder", report.opd.code)
    actions.forward(responder, report.tracking_code, "dlh", "Bukan kewenangan kami.")
    after = Report.objects.get(pk=report.pk).resolution_due_at
    assert (after != before) is restart


def overdue(report: Report) -> None:
    past = timezone.now() - timedelta(minutes=1)
    Report.objects.filter(pk=report.pk).update(
        response_at_risk_at=past - timedelta(hours=1), response_due_at=past, sla_next_check_at=past
    )


def test_sweep_marks_breach_escalates_once_and_is_idempotent(world):
    city = world("kotacontoh")  # escalation: breached → parent_opd
    report = city.submit().report
    assert report.opd.code == "pupr-bina-marga"
    overdue(report)
    first = sweep_city()
    report.refresh_from_db()
    assert (first.breached, first.escalated) == (1, 1)
    assert report.sla_state == "breached"
    assert report.opd.code == "dinas-pupr"  # the parent of Bidang Bina Marga
    assert report.escalations == ["response_at_risk", "response_breached"]
    second = sweep_city()
    assert (second.at_risk, second.breached, second.escalated) == (0, 0, 0)
    assert report.timeline.filter(action="sla_breached").count() == 1


def test_at_risk_comes_before_breach(world):
    city = world("kotacontoh")
    report = city.submit().report
    Report.objects.filter(pk=report.pk).update(
        response_at_risk_at=timezone.now() - timedelta(minutes=1),
        sla_next_check_at=timezone.now() - timedelta(minutes=1),
    )
    result = sweep_city()
    report.refresh_from_db()
    assert (result.at_risk, result.breached, report.sla_state) == (1, 0, "at_risk")
    assert report.sla_next_check_at == report.response_due_at


def test_a_report_that_cannot_be_swept_is_logged_and_the_others_still_fire(world, caplog):
    city = world("kotacontoh")
    lat, lon = city.center
    broken, fine = (city.submit(near=(lat + i * 0.002, lon)).report for i in range(2))
    overdue(broken)
    overdue(fine)
    # Damaged data (not something the app writes): the fired-stage list is not a list of names.
    Report.objects.filter(pk=broken.pk).update(escalations=[{"stage": "response_at_risk"}])
    result = sweep_city()
    assert (result.breached, result.failed) == (1, 1)
    assert fine.timeline.filter(action="sla_breached").count() == 1
    assert broken.timeline.filter(action="sla_breached").count() == 0  # rolled back alone
    assert f"SLA sweep failed for report {broken.tracking_code}" in caplog.text


@pytest.fixture
def committed_city(django_db_blocker):
    with django_db_blocker.unblock():
        text = (FIXTURES / "kotacontoh.yaml").read_text()
        text = text.replace("slug: kotacontoh", "slug: kotasweep").replace(
            "lapor.kotacontoh.go.id", "lapor.kotasweep.go.id"
        )
        apply_config(parse_config(text), actor="pytest")
        yield City.objects.get(slug="kotasweep")
        connection.set_schema_to_public()


def test_two_sweeps_at_once_fire_each_stage_once(committed_city, django_db_blocker):
    with django_db_blocker.unblock():
        connection.set_tenant(committed_city)
        world = CityWorld(committed_city)
        lat, lon = world.center
        reports = [world.submit(near=(lat + i * 0.002, lon)).report for i in range(6)]
        for report in reports:
            overdue(report)
        results, barrier = [], threading.Barrier(2)

        def sweep():
            try:
                connection.set_tenant(committed_city)
                barrier.wait()
                results.append(sweep_city())
            finally:
                connections.close_all()

        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        connection.set_tenant(committed_city)
        assert sum(r.breached for r in results) == 6
        for report in reports:
            assert report.timeline.filter(action="sla_breached").count() == 1


def test_sla_sweep_command_runs_every_city_in_its_own_schema(world, capsys):
    city = world("kotacontoh")
    overdue(city.submit().report)
    connection.set_schema_to_public()
    call_command("sla_sweep")
    out = capsys.readouterr().out
    assert "kotacontoh: 0 at risk, 1 breached, 1 escalations" in out
    assert "SLA sweep:" in out
