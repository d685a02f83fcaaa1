"""The working-time calendar behind SLA deadlines (pure: no database).

Dates are real 2026 dates, checked against the holidays package (0.108):
Monday 17 August 2026 (Independence Day) and Monday 1 June 2026 (Pancasila Day)
are national holidays, so the Fridays before them (14 August, 29 May) are the
worst case for a report filed just after closing. Mataram (WITA, UTC+8) works
07:30-16:00 Monday to Thursday and 07:30-16:30 on Friday.
"""

from __future__ import annotations

import random
import time as perf
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from cityconfig.schema import Calendar, CityConfig
from onboarding.loading import load_config
from sla.calendar import WorkingCalendar

CONFIGS = Path(__file__).resolve().parents[2] / "tenant_configs"
WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
ASN_HOURS = {
    "mon": "07:30-16:00",
    "tue": "07:30-16:00",
    "wed": "07:30-16:00",
    "thu": "07:30-16:00",
    "fri": "07:30-16:30",
    "sat": None,
    "sun": None,
}

INDEPENDENCE_DAY = date(2026, 8, 17)  # Monday
PANCASILA_DAY = date(2026, 6, 1)  # Monday


@cache
def city(slug: str) -> CityConfig:
    return load_config(CONFIGS / f"{slug}.yaml")


def city_calendar(slug: str) -> WorkingCalendar:
    config = city(slug)
    return WorkingCalendar.from_config(config.calendar, config.identity.time_zone)


def make(
    hours: dict[str, str | None] | None = None,
    *,
    time_zone: str = "Asia/Makassar",
    public_holidays: str | None = None,
    days_off: tuple[date, ...] = (),
    extra: tuple[date, ...] = (),
) -> WorkingCalendar:
    """A hand-built calendar; national holidays are off unless asked for, so a
    test shows exactly the rule it is about."""
    section = Calendar(
        working_hours=hours or ASN_HOURS,
        public_holidays=public_holidays,
        days_off=[{"date": day, "name": "Cuti bersama"} for day in days_off],
        extra_working_days=list(extra),
    )
    return WorkingCalendar.from_config(section, time_zone)


def wita(*args: int) -> datetime:
    return datetime(*args, tzinfo=WITA)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def mataram() -> WorkingCalendar:
    return city_calendar("mataram")


# The holidays the examples rely on ------------------------------------------


def test_the_chosen_2026_holidays_are_mondays_in_the_package() -> None:
    national = holidays.country_holidays("ID", years=2026)
    for day in (INDEPENDENCE_DAY, PANCASILA_DAY):
        assert day in national
        assert day.weekday() == 0


# The worked example: Mataram, Friday 16:55 WITA before a Monday holiday --------


def test_friday_after_closing_before_independence_day_6_working_hours(
    mataram: WorkingCalendar,
) -> None:
    """16:55 WITA Friday 14 Aug 2026 = 08:55 UTC. Friday closed at 16:30; Saturday,
    Sunday and Monday 17 Aug are off; the clock starts Tuesday 07:30 WITA, and
    6 working hours later is Tuesday 13:30 WITA = 05:30 UTC."""
    filed = wita(2026, 8, 14, 16, 55)
    assert filed.astimezone(UTC) == utc(2026, 8, 14, 8, 55)
    assert mataram.next_working_instant(filed) == wita(2026, 8, 18, 7, 30)

    due = mataram.add(filed, 6, "h", "working")

    assert due == utc(2026, 8, 18, 5, 30)
    assert due.tzinfo is UTC
    assert due.astimezone(WITA) == wita(2026, 8, 18, 13, 30)
    assert mataram.working_minutes_between(filed, due) == 360


def test_friday_after_closing_before_independence_day_1_working_day(
    mataram: WorkingCalendar,
) -> None:
    """1 working day from the next working instant (Tuesday 07:30 WITA) is
    Wednesday 19 Aug 07:30 WITA = Tuesday 18 Aug 23:30 UTC: all of Tuesday."""
    due = mataram.add(wita(2026, 8, 14, 16, 55), 1, "d", "working")

    assert due == utc(2026, 8, 18, 23, 30)
    assert due.astimezone(WITA) == wita(2026, 8, 19, 7, 30)
    assert mataram.working_minutes_between(wita(2026, 8, 14, 16, 55), due) == 510


def test_friday_inside_hours_before_independence_day(mataram: WorkingCalendar) -> None:
    """At 16:20 WITA, 10 minutes of Friday remain: 6 h = 10 min Friday + 5 h 50 Tuesday.
    One working day keeps 16:20 but Tuesday closes at 16:00, so 16:00 it is."""
    filed = wita(2026, 8, 14, 16, 20)

    assert mataram.add(filed, 6, "h", "working") == wita(2026, 8, 18, 13, 20)
    assert mataram.add(filed, 1, "d", "working") == wita(2026, 8, 18, 16, 0)
    assert mataram.add(filed, 1, "d", "working") == utc(2026, 8, 18, 8, 0)


def test_friday_before_pancasila_day(mataram: WorkingCalendar) -> None:
    filed = wita(2026, 5, 29, 16, 55)

    assert mataram.add(filed, 6, "h", "working") == wita(2026, 6, 2, 13, 30)
    assert mataram.add(filed, 1, "d", "working") == wita(2026, 6, 3, 7, 30)


# Time zones ---------------------------------------------------------------


@pytest.mark.parametrize(("amount", "unit"), [(6, "h"), (1, "d"), (3, "d"), (90, "m"), (20, "h")])
@pytest.mark.parametrize("wall", [(2026, 8, 14, 16, 55), (2026, 10, 7, 10, 0)])
def test_same_wall_clock_in_wib_wita_wit_differs_by_the_offset(
    amount: int, unit: str, wall: tuple[int, ...]
) -> None:
    """The same rules and the same local time: every deadline in WIT is one hour
    (in UTC) before WITA's, which is one hour before WIB's, and local due times match."""
    results = {}
    for zone in (WIB, WITA, WIT):
        calendar = make(time_zone=zone.key, public_holidays="ID")
        start = datetime(*wall, tzinfo=zone)
        results[zone.key] = (start.astimezone(UTC), calendar.add(start, amount, unit, "working"))

    (wib_start, wib_due), (wita_start, wita_due), (wit_start, wit_due) = results.values()
    hour = timedelta(hours=1)
    assert wib_start - wita_start == wita_start - wit_start == hour
    assert wib_due - wita_due == wita_due - wit_due == hour
    assert wib_due.astimezone(WIB).replace(tzinfo=None) == wita_due.astimezone(WITA).replace(
        tzinfo=None
    )


def test_the_worked_example_in_the_three_zones() -> None:
    due = {
        zone.key: make(time_zone=zone.key, public_holidays="ID").add(
            datetime(2026, 8, 14, 16, 55, tzinfo=zone), 6, "h", "working"
        )
        for zone in (WIB, WITA, WIT)
    }
    assert due == {
        "Asia/Jakarta": utc(2026, 8, 18, 6, 30),
        "Asia/Makassar": utc(2026, 8, 18, 5, 30),
        "Asia/Jayapura": utc(2026, 8, 18, 4, 30),
    }


def test_input_zone_does_not_matter_only_the_instant() -> None:
    """A UTC input and a WIB input of the same instant give the same deadline."""
    calendar = make()
    instant = wita(2026, 10, 7, 15, 0)
    for same in (instant.astimezone(UTC), instant.astimezone(WIB), instant.astimezone(WIT)):
        assert calendar.add(same, 2, "h", "working") == wita(2026, 10, 8, 8, 30)


def test_pontianak_is_wib_too() -> None:
    start = datetime(2026, 10, 7, 15, 0)
    jakarta = make(time_zone="Asia/Jakarta").add(start.replace(tzinfo=WIB), 2, "h", "working")
    pontianak = make(time_zone="Asia/Pontianak").add(
        start.replace(tzinfo=ZoneInfo("Asia/Pontianak")), 2, "h", "working"
    )
    assert jakarta == pontianak == utc(2026, 10, 8, 1, 30)


def test_seed_cities_follow_their_own_zone() -> None:
    """Jakarta (WIB) and Mataram (WITA) share hours; in UTC Mataram opens an hour earlier."""
    monday = datetime(2026, 10, 5, 0, 0, tzinfo=UTC)  # 07:00 WIB, 08:00 WITA
    assert city_calendar("jakarta").next_working_instant(monday) == utc(2026, 10, 5, 0, 30)
    assert city_calendar("mataram").next_working_instant(monday) == monday


# Working days -------------------------------------------------------------


def test_weekend_is_skipped() -> None:
    """Friday 15:00 + 2 h: 90 min until Friday's 16:30 close, 30 min on Monday."""
    calendar = make()
    assert calendar.add(wita(2026, 10, 9, 15, 0), 2, "h", "working") == wita(2026, 10, 12, 8, 0)
    assert calendar.add(wita(2026, 10, 10, 11, 0), 1, "h", "working") == wita(2026, 10, 12, 8, 30)
    assert calendar.add(wita(2026, 10, 9, 9, 0), 1, "d", "working") == wita(2026, 10, 12, 9, 0)
    assert not calendar.is_working_day(date(2026, 10, 10))
    assert not calendar.is_working_day(date(2026, 10, 11))


def test_public_holiday_is_skipped_only_when_the_city_follows_them() -> None:
    filed = wita(2026, 8, 14, 16, 0)
    assert make(public_holidays="ID").add(filed, 1, "h", "working") == wita(2026, 8, 18, 8, 0)
    assert make(public_holidays=None).add(filed, 1, "h", "working") == wita(2026, 8, 17, 8, 0)


def test_city_day_off_is_skipped(mataram: WorkingCalendar) -> None:
    """Mataram's HUT day off (Monday 31 Aug 2026) is only in its own config."""
    assert not mataram.is_working_day(date(2026, 8, 31))
    assert city_calendar("jakarta").is_working_day(date(2026, 8, 31))
    friday = wita(2026, 8, 28, 16, 0)
    assert mataram.add(friday, 1, "h", "working") == wita(2026, 9, 1, 8, 0)
    assert mataram.add(friday, 1, "d", "working") == wita(2026, 9, 1, 16, 0)


def test_lebaran_cuti_bersama_and_holidays_are_skipped(mataram: WorkingCalendar) -> None:
    """18 Mar 2026 cuti Nyepi, 19 Nyepi, 20 cuti, 21-22 Idul Fitri (weekend),
    23-24 cuti: after Tuesday 17 March the office reopens on Wednesday 25."""
    off = [date(2026, 3, day) for day in range(18, 25)]
    assert not any(mataram.is_working_day(day) for day in off)
    assert mataram.add(wita(2026, 3, 17, 16, 0), 1, "h", "working") == wita(2026, 3, 25, 8, 30)
    assert mataram.add(wita(2026, 3, 17, 10, 0), 1, "d", "working") == wita(2026, 3, 25, 10, 0)
    assert mataram.working_minutes_between(wita(2026, 3, 17, 16, 0), wita(2026, 3, 25, 7, 30)) == 0


def test_cuti_bersama_in_a_hand_built_calendar() -> None:
    wednesday = date(2026, 10, 7)
    calendar = make(days_off=(wednesday,))
    assert not calendar.is_working_day(wednesday)
    assert calendar.working_hours_on(wednesday) is None
    assert calendar.add(wita(2026, 10, 6, 15, 0), 2, "h", "working") == wita(2026, 10, 8, 8, 30)


def test_extra_working_saturday_borrows_mondays_hours() -> None:
    saturday = date(2026, 10, 10)
    calendar = make(extra=(saturday,))
    assert calendar.is_working_day(saturday)
    assert calendar.working_hours_on(saturday) == (time(7, 30), time(16, 0))
    assert calendar.add(wita(2026, 10, 9, 16, 0), 1, "h", "working") == wita(2026, 10, 10, 8, 0)
    assert calendar.working_minutes_between(wita(2026, 10, 10), wita(2026, 10, 11)) == 510


def test_extra_working_day_uses_the_first_weekday_that_has_hours() -> None:
    """A city open only Wednesday and Thursday lends Wednesday's hours to a Sunday."""
    hours = dict.fromkeys(ASN_HOURS) | {"wed": "09:00-12:00", "thu": "08:00-17:00"}
    sunday = date(2026, 10, 11)
    calendar = make(hours, extra=(sunday,))
    assert calendar.working_hours_on(sunday) == (time(9), time(12))


def test_extra_working_day_on_a_weekday_keeps_its_own_hours_and_beats_a_day_off() -> None:
    friday = date(2026, 8, 14)
    calendar = make(public_holidays="ID", days_off=(friday,), extra=(friday, INDEPENDENCE_DAY))
    assert calendar.working_hours_on(friday) == (time(7, 30), time(16, 30))
    assert calendar.working_hours_on(INDEPENDENCE_DAY) == (time(7, 30), time(16, 0))


def test_working_hours_differ_by_weekday(mataram: WorkingCalendar) -> None:
    assert mataram.working_hours_on(date(2026, 10, 8)) == (time(7, 30), time(16, 0))
    assert mataram.working_hours_on(date(2026, 10, 9)) == (time(7, 30), time(16, 30))
    assert mataram.working_hours_on(date(2026, 10, 10)) is None
    assert mataram.working_hours_on(INDEPENDENCE_DAY) is None
    # Friday's longer day: 16:10 is still open on Friday, not on Thursday.
    assert mataram.next_working_instant(wita(2026, 10, 9, 16, 10)) == wita(2026, 10, 9, 16, 10)
    assert mataram.next_working_instant(wita(2026, 10, 8, 16, 10)) == wita(2026, 10, 9, 7, 30)
    # A full week: 4 x 8.5 h + 9 h.
    week = mataram.working_minutes_between(wita(2026, 10, 5), wita(2026, 10, 12))
    assert week == 4 * 510 + 540


def test_working_day_time_of_day_is_clamped_to_the_target_days_hours() -> None:
    """Tuesday is a short day (09:00-12:00): 08:00 moves up to its opening,
    15:00 down to its closing."""
    calendar = make(ASN_HOURS | {"tue": "09:00-12:00"})
    assert calendar.add(wita(2026, 10, 5, 8, 0), 1, "d", "working") == wita(2026, 10, 6, 9, 0)
    assert calendar.add(wita(2026, 10, 5, 15, 0), 1, "d", "working") == wita(2026, 10, 6, 12, 0)
    assert calendar.add(wita(2026, 10, 5, 15, 0), 2, "d", "working") == wita(2026, 10, 7, 15, 0)


def test_several_working_days(mataram: WorkingCalendar) -> None:
    """Mataram's resolution target of 5 working days, filed Thursday 13 Aug at 10:00:
    Fri 14, Tue 18, Wed 19, Thu 20, Fri 21 (Monday 17 is Independence Day)."""
    filed = wita(2026, 8, 13, 10, 0)
    assert mataram.add(filed, 5, "d", "working") == wita(2026, 8, 21, 10, 0)
    assert mataram.add(filed, 0, "d", "working") == filed


# Start and end of the day ----------------------------------------------------


def test_start_before_opening_starts_the_clock_at_opening() -> None:
    calendar = make()
    assert calendar.next_working_instant(wita(2026, 10, 5, 6, 0)) == wita(2026, 10, 5, 7, 30)
    assert calendar.add(wita(2026, 10, 5, 6, 0), 1, "h", "working") == wita(2026, 10, 5, 8, 30)
    assert calendar.add(wita(2026, 10, 5, 0, 0), 1, "d", "working") == wita(2026, 10, 6, 7, 30)


def test_start_after_closing_starts_next_working_day() -> None:
    calendar = make()
    assert calendar.next_working_instant(wita(2026, 10, 5, 17, 0)) == wita(2026, 10, 6, 7, 30)
    assert calendar.add(wita(2026, 10, 5, 17, 0), 1, "h", "working") == wita(2026, 10, 6, 8, 30)
    assert calendar.add(wita(2026, 10, 5, 23, 59), 1, "d", "working") == wita(2026, 10, 7, 7, 30)


def test_start_exactly_at_closing_is_after_hours() -> None:
    calendar = make()
    closing = wita(2026, 10, 5, 16, 0)
    assert calendar.next_working_instant(closing) == wita(2026, 10, 6, 7, 30)
    assert calendar.next_working_instant(closing - timedelta(seconds=1)) == closing - timedelta(
        seconds=1
    )
    assert calendar.add(closing, 1, "h", "working") == wita(2026, 10, 6, 8, 30)


def test_start_exactly_at_opening_is_inside_hours() -> None:
    opening = wita(2026, 10, 5, 7, 30)
    assert make().next_working_instant(opening) == opening


def test_a_deadline_can_be_the_closing_time() -> None:
    """Using up exactly a day's hours ends at closing, not at the next opening."""
    calendar = make()
    assert calendar.add(wita(2026, 10, 5, 7, 30), 510, "m", "working") == wita(2026, 10, 5, 16, 0)
    assert calendar.add(wita(2026, 10, 5, 7, 30), 511, "m", "working") == wita(2026, 10, 6, 7, 31)


def test_year_boundary_and_new_years_day() -> None:
    """Thursday 31 Dec 2026 15:00 + 2 h: 1 h on Thursday, then New Year's Day
    (Friday) and the weekend, so Monday 4 Jan 2027 08:30."""
    calendar = make(public_holidays="ID")
    due = calendar.add(wita(2026, 12, 31, 15, 0), 2, "h", "working")
    assert due == wita(2027, 1, 4, 8, 30)
    assert calendar.working_minutes_between(wita(2026, 12, 31, 15, 0), due) == 120


def test_office_open_until_midnight() -> None:
    calendar = make(dict.fromkeys(ASN_HOURS, "00:00-24:00"))
    assert calendar.working_hours_on(date(2026, 10, 10)) == (time(0), time.max)
    start = wita(2026, 10, 9, 22, 0)
    assert calendar.add(start, 5, "h", "working") == start + timedelta(hours=5)
    assert calendar.working_minutes_between(start, wita(2026, 10, 12, 22, 0)) == 3 * 24 * 60


# The calendar clock ---------------------------------------------------------


def test_calendar_clock_ignores_hours_weekends_holidays_and_days_off(
    mataram: WorkingCalendar,
) -> None:
    filed = wita(2026, 8, 14, 16, 55)
    assert mataram.add(filed, 6, "h", "calendar") == utc(2026, 8, 14, 14, 55)
    assert mataram.add(filed, 1, "d", "calendar") == utc(2026, 8, 15, 8, 55)
    assert mataram.add(filed, 3, "d", "calendar") == wita(2026, 8, 17, 16, 55)
    assert mataram.add(filed, 30, "m", "calendar") == wita(2026, 8, 14, 17, 25)
    assert mataram.add(filed, 1, "d", "calendar").tzinfo is UTC
    assert mataram.elapsed(filed, wita(2026, 8, 18, 16, 55), "calendar") == 4 * 24 * 60


def test_elapsed_in_working_clock_is_working_minutes(mataram: WorkingCalendar) -> None:
    a, b = wita(2026, 8, 14, 16, 0), wita(2026, 8, 18, 9, 0)
    assert mataram.elapsed(a, b, "working") == mataram.working_minutes_between(a, b) == 120
    assert mataram.elapsed(b, a, "working") == mataram.elapsed(b, a, "calendar") == 0


# Working minutes between ------------------------------------------------------


def test_working_minutes_across_a_weekend_and_a_holiday(mataram: WorkingCalendar) -> None:
    """Friday 16:00-16:30 (30) + Tuesday 07:30-09:00 (90); the weekend and
    Independence Day count nothing."""
    assert mataram.working_minutes_between(wita(2026, 8, 14, 16, 0), wita(2026, 8, 18, 9, 0)) == 120
    assert mataram.working_minutes_between(wita(2026, 8, 15), wita(2026, 8, 18)) == 0


def test_working_minutes_zero_and_negative_spans(mataram: WorkingCalendar) -> None:
    at = wita(2026, 10, 7, 10, 0)
    assert mataram.working_minutes_between(at, at) == 0
    assert mataram.working_minutes_between(at, at - timedelta(hours=5)) == 0
    assert mataram.working_minutes_between(at + timedelta(days=9), at) == 0


def test_working_minutes_inside_one_day(mataram: WorkingCalendar) -> None:
    assert mataram.working_minutes_between(wita(2026, 10, 7, 10), wita(2026, 10, 7, 11, 30)) == 90
    assert mataram.working_minutes_between(
        wita(2026, 10, 7, 10), wita(2026, 10, 7, 10, 0, 30)
    ) == pytest.approx(0.5)
    # Evening to next morning, before opening: nothing.
    assert mataram.working_minutes_between(wita(2026, 10, 7, 17), wita(2026, 10, 8, 7)) == 0
    # Across the whole day, from before opening to after closing.
    assert mataram.working_minutes_between(wita(2026, 10, 7, 5), wita(2026, 10, 7, 20)) == 510


def test_working_minutes_over_a_year_match_the_day_by_day_sum(
    mataram: WorkingCalendar,
) -> None:
    day, total = date(2026, 1, 1), 0
    while day.year == 2026:
        hours = mataram.working_hours_on(day)
        if hours:
            opening, closing = (datetime.combine(day, t) for t in hours)
            total += (closing - opening) / timedelta(minutes=1)
        day += timedelta(days=1)
    assert mataram.working_minutes_between(wita(2026, 1, 1), wita(2027, 1, 1)) == total
    # 2026: 261 weekdays - 13 weekday holidays - 9 days off = 239 working days,
    # 46 of them Fridays (52 - 4 holidays - 2 cuti bersama), each 30 minutes longer.
    assert total == 239 * 510 + 46 * 30


# Properties ------------------------------------------------------------------


def _brute_force_minutes(calendar: WorkingCalendar, zone: ZoneInfo, a: datetime, b: datetime):
    """Count working minutes one minute at a time: slow but obviously right."""
    count, at = 0, a
    while at < b:
        local = at.astimezone(zone)
        hours = calendar.working_hours_on(local.date())
        if hours and hours[0] <= local.time() < hours[1]:
            count += 1
        at += timedelta(minutes=1)
    return count


def test_working_minutes_agree_with_a_minute_by_minute_count() -> None:
    calendar = make(public_holidays="ID", days_off=(date(2026, 8, 18),))
    rng = random.Random(20260817)
    base = wita(2026, 8, 10)
    for _ in range(15):
        a = base + timedelta(minutes=rng.randrange(14 * 24 * 60))
        b = a + timedelta(minutes=rng.randrange(4 * 24 * 60))
        assert calendar.working_minutes_between(a, b) == _brute_force_minutes(calendar, WITA, a, b)


@pytest.mark.parametrize("slug", ["mataram", "jakarta", "pangkalpinang", "serang"])
def test_add_then_measure_returns_the_amount(slug: str) -> None:
    """For m/h units, the working minutes from start to the due time are the amount,
    whatever the start (nights, weekends, holidays, cuti bersama, second fractions)."""
    calendar = city_calendar(slug)
    rng = random.Random(f"kanal-sla-{slug}")
    base = utc(2025, 12, 1)
    for _ in range(40):
        start = base + timedelta(
            seconds=rng.randrange(400 * 86400), microseconds=rng.randrange(10**6)
        )
        amount, unit = rng.choice([(rng.randint(1, 600), "m"), (rng.randint(1, 80), "h")])
        due = calendar.add(start, amount, unit, "working")
        minutes = amount * (60 if unit == "h" else 1)
        assert calendar.working_minutes_between(start, due) == pytest.approx(minutes, abs=1e-6)
        assert due.tzinfo is UTC
        # The due time is the earliest such instant: a minute earlier falls short.
        earlier = calendar.working_minutes_between(start, due - timedelta(minutes=1))
        assert earlier == pytest.approx(minutes - 1, abs=1e-6)


def test_working_days_land_on_working_days_inside_hours(mataram: WorkingCalendar) -> None:
    rng = random.Random(7)
    for _ in range(40):
        start = utc(2026, 1, 1) + timedelta(minutes=rng.randrange(365 * 24 * 60))
        due = mataram.add(start, rng.randint(1, 15), "d", "working")
        local = due.astimezone(WITA)
        hours = mataram.working_hours_on(local.date())
        assert hours is not None
        assert hours[0] <= local.time() <= hours[1]


# Bad input -----------------------------------------------------------------------


NAIVE = datetime(2026, 8, 14, 16, 55)
AWARE = wita(2026, 8, 14, 16, 55)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.next_working_instant(NAIVE),
        lambda c: c.add(NAIVE, 6, "h", "working"),
        lambda c: c.add(NAIVE, 6, "h", "calendar"),
        lambda c: c.working_minutes_between(NAIVE, AWARE),
        lambda c: c.working_minutes_between(AWARE, NAIVE),
        lambda c: c.elapsed(NAIVE, AWARE, "calendar"),
        lambda c: c.elapsed(AWARE, NAIVE, "working"),
    ],
)
def test_naive_datetimes_are_refused(call) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(make())


@pytest.mark.parametrize(
    ("amount", "unit", "clock", "message"),
    [
        (1, "w", "working", "unit"),
        (1, "h", "wall", "clock"),
        (-1, "h", "working", "negative"),
    ],
)
def test_bad_arguments_are_refused(amount: int, unit: str, clock: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make().add(AWARE, amount, unit, clock)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        make(time_zone="Asia/Atlantis")


def test_a_calendar_without_working_time_says_so() -> None:
    """Only extra working days (config checks forbid this, but the calendar must
    not search until year 9999)."""
    saturday = date(2026, 10, 10)
    calendar = WorkingCalendar(
        weekly_hours={}, time_zone="Asia/Makassar", extra_working_days=[saturday]
    )
    assert calendar.working_hours_on(saturday) is None  # no hours to borrow
    with pytest.raises(ValueError, match="no working time"):
        calendar.add(wita(2026, 10, 1), 1, "h", "working")


# Speed ----------------------------------------------------------------------------


def test_two_year_spans_are_fast(mataram: WorkingCalendar) -> None:
    """Sweeps call these per report: after the year tables are built, a two-year
    span costs a few bisects, not 730 day steps (let alone a million minutes)."""
    a, b = utc(2026, 1, 1), utc(2028, 1, 1)
    mataram.working_minutes_between(a, b)  # build the year tables once
    mataram.add(a, 500, "d", "working")
    rounds = 200
    began = perf.perf_counter()
    for _ in range(rounds):
        mataram.working_minutes_between(a, b)
        mataram.add(a, 250_000, "m", "working")
        mataram.add(a, 500, "d", "working")
    per_round = (perf.perf_counter() - began) / rounds
    assert per_round < 0.003  # about 0.05 ms on a laptop; generous for CI
