"""A city's working-time calendar: when SLA clocks run, and where deadlines land.

Pure code (no database), built from the ``calendar`` section of a city config
and the city's IANA time zone. Why it exists: an agency promised "6 working
hours" must not breach overnight, over the weekend, on a national holiday or
on the city's own cuti bersama; and every deadline is the city's own wall
clock (a WITA city closes an hour before a WIB one, in UTC).

Design notes:

* Every instant in and out is timezone-aware; results are UTC. Wall-clock
  questions (which day is it, is the office open) are answered in the city's
  zone through :mod:`zoneinfo`, never with a fixed offset.
* A working day has one working period ``[open, close)``. Durations are real
  elapsed time between UTC instants, so ``add`` and ``working_minutes_between``
  agree exactly with each other.
* Deadlines are computed once per report event and again in sweeps over many
  reports, so nothing loops per minute. Each instance keeps, per year, the
  working microseconds of every day and their running totals; a span costs a
  couple of bisects per year it touches, a multi-year span stays well under a
  millisecond once the year is cached.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from cityconfig.schema import WEEKDAYS, Calendar

CLOCKS = ("calendar", "working")
UNITS = ("m", "h", "d")
_UNIT_DELTAS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_ONE_US = timedelta(microseconds=1)
_US_PER_MINUTE = 60_000_000

# A working period as offsets from local midnight (the end may be 24:00).
Period = tuple[timedelta, timedelta]


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[date]:
    """Indonesian public holidays of ``year``, from the holidays package as is.

    Shared by all instances: building the package's calendar costs about a
    millisecond and is the same for every city.
    """
    return frozenset(holidays.country_holidays("ID", years=year))


def _parse_hours(value: str) -> Period:
    """``"07:30-16:00"`` → offsets from midnight (``24:00`` is allowed as an end)."""
    start, end = value.replace(" ", "").split("-")
    return _parse_clock(start), _parse_clock(end)


def _parse_clock(value: str) -> timedelta:
    hours, minutes = value.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def _as_time(offset: timedelta) -> time:
    """An offset from midnight as a ``time``; 24:00 cannot be one, so it is
    shown as ``time.max`` (the last instant of the day)."""
    if offset >= timedelta(days=1):
        return time.max
    return (datetime.min + offset).time()


def _require_aware(value: datetime, name: str) -> None:
    """Naive datetimes are refused: guessing their zone is how deadlines drift by hours."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware, got the naive datetime {value.isoformat()}; "
            "attach a zone (e.g. tzinfo=datetime.UTC or the city's ZoneInfo)"
        )


def _check_clock(clock: str) -> None:
    if clock not in CLOCKS:
        raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, got {clock!r}")


@dataclass(frozen=True, slots=True)
class _Year:
    """Running totals for one calendar year, indexed by day of the year (0-based).

    ``work_us[i]`` is the working time before day ``i`` in microseconds,
    ``days[i]`` the number of working days before day ``i``; both have one more
    entry than the year has days, so any span of days is a subtraction.
    """

    first: date
    work_us: list[int]
    days: list[int]

    def index(self, day: date) -> int:
        return (day - self.first).days

    @property
    def length(self) -> int:
        return len(self.days) - 1


class WorkingCalendar:
    """Working time of one city: its weekly hours, holidays and days off, in its zone."""

    def __init__(
        self,
        *,
        weekly_hours: Mapping[int, Period | None],
        time_zone: str,
        national_holidays: bool = True,
        days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        """``weekly_hours`` maps ``date.weekday()`` (0 = Monday) to a working period."""
        try:
            self.zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{time_zone!r} is not a known time zone") from exc
        self.time_zone = time_zone
        self._weekly: tuple[Period | None, ...] = tuple(weekly_hours.get(i) for i in range(7))
        for period in self._weekly:
            if period is not None and not timedelta(0) <= period[0] < period[1] <= timedelta(1):
                raise ValueError(f"invalid working period {period}")
        # An extra working day on a weekday without hours (a working Saturday)
        # borrows the hours of the first weekday that has some.
        self._fallback = next((p for p in self._weekly if p is not None), None)
        self._national = national_holidays
        self._days_off = frozenset(days_off)
        self._extra = frozenset(extra_working_days)
        # No weekly hours: working time only exists on extra days, so searches
        # must stop after the last one instead of scanning to year 9999.
        self._last_year = 9999 if self._fallback else max((d.year for d in self._extra), default=0)
        self._holidays: dict[int, frozenset[date]] = {}
        self._years: dict[int, _Year] = {}

    @classmethod
    def from_config(cls, calendar: Calendar, time_zone: str) -> WorkingCalendar:
        """Build from a validated config section (``cityconfig.schema.Calendar``)."""
        hours = calendar.working_hours
        return cls(
            weekly_hours={
                i: _parse_hours(hours[name]) if hours.get(name) else None
                for i, name in enumerate(WEEKDAYS)
            },
            time_zone=time_zone,
            national_holidays=calendar.public_holidays == "ID",
            days_off=(day.date for day in calendar.days_off),
            extra_working_days=calendar.extra_working_days,
        )

    def __repr__(self) -> str:
        return f"<WorkingCalendar {self.time_zone}>"

    # Days -------------------------------------------------------------------

    def is_public_holiday(self, day: date) -> bool:
        """A national holiday (when the city follows them); cached per year."""
        if not self._national:
            return False
        year = self._holidays.get(day.year)
        if year is None:
            year = self._holidays[day.year] = _national_holidays(day.year)
        return day in year

    def is_working_day(self, day: date) -> bool:
        """True when the office opens on ``day``.

        An extra working day works even on a holiday or a listed day off (it is
        the city's explicit decision, e.g. a Saturday that replaces a bridging
        day off), borrowing hours if its weekday has none; otherwise the weekday
        needs hours and the day must be neither a national holiday nor a city
        day off.
        """
        return self._period(day) is not None

    def working_hours_on(self, day: date) -> tuple[time, time] | None:
        """Local opening and closing time of ``day``, or None when it is not a working day.

        A 24:00 closing time is returned as ``time.max``.
        """
        period = self._period(day)
        if period is None:
            return None
        return _as_time(period[0]), _as_time(period[1])

    def _period(self, day: date) -> Period | None:
        if day in self._extra:
            return self._weekly[day.weekday()] or self._fallback
        period = self._weekly[day.weekday()]
        if period is None or day in self._days_off or self.is_public_holiday(day):
            return None
        return period

    # Instants ---------------------------------------------------------------

    def _local_day(self, at: datetime) -> tuple[date, timedelta]:
        """The city's date at ``at`` and the wall-clock offset from its midnight."""
        local = at.astimezone(self.zone)
        offset = timedelta(
            hours=local.hour,
            minutes=local.minute,
            seconds=local.second,
            microseconds=local.microsecond,
        )
        return local.date(), offset

    def _instant(self, day: date, offset: timedelta) -> datetime:
        """The UTC instant of local wall-clock ``offset`` after midnight of ``day``."""
        wall = datetime.combine(day, time(), tzinfo=self.zone) + offset
        return wall.astimezone(UTC)

    def _open_close(self, day: date) -> tuple[datetime, datetime] | None:
        period = self._period(day)
        if period is None:
            return None
        return self._instant(day, period[0]), self._instant(day, period[1])

    def next_working_instant(self, at: datetime) -> datetime:
        """``at`` itself (in UTC) if the office is open then, else the next opening.

        Closing time is exclusive: a report at exactly 16:00 waits for tomorrow.
        """
        _require_aware(at, "at")
        at = at.astimezone(UTC)
        day, _ = self._local_day(at)
        today = self._open_close(day)
        if today is not None and at < today[1]:
            return max(at, today[0])
        nxt = self._nth_working_day(day, 1)
        return self._open_close(nxt)[0]  # type: ignore[index]

    # Year tables ------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        """Running totals of working time and days for ``year`` (built once)."""
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._build_year(year)
        return table

    def _build_year(self, year: int) -> _Year:
        first = date(year, 1, 1)
        work_us, days = [0], [0]
        day = first
        while day.year == year:
            span = self._open_close(day)
            micros = (span[1] - span[0]) // _ONE_US if span else 0
            work_us.append(work_us[-1] + micros)
            days.append(days[-1] + (span is not None))
            day += timedelta(days=1)
        return _Year(first, work_us, days)

    def _check_year(self, year: int, origin: date) -> None:
        if year > self._last_year:
            raise ValueError(f"the calendar has no working time after {origin.isoformat()}")

    def _sum_days(self, first: date, stop: date, field: str) -> int:
        """Working microseconds (``field="work_us"``) or days (``"days"``) in
        the whole days ``[first, stop)``."""
        total = 0
        day = first
        while day < stop:
            table = self._year(day.year)
            sums = getattr(table, field)
            end = table.index(stop) if stop.year == day.year else table.length
            total += sums[end] - sums[table.index(day)]
            if stop.year == day.year:
                break
            day = date(day.year + 1, 1, 1)
        return total

    def _seek(self, after: date, amount: int, field: str) -> tuple[date, int]:
        """The first day, strictly after ``after``, by whose end ``amount`` of
        ``field`` has accumulated, and how much accumulated before that day."""
        day = after + timedelta(days=1)
        before = 0
        while True:
            self._check_year(day.year, after)
            table = self._year(day.year)
            sums = getattr(table, field)
            start = table.index(day)
            target = sums[start] + amount - before
            if target <= sums[-1]:
                k = bisect.bisect_left(sums, target, lo=start + 1)
                found = table.first + timedelta(days=k - 1)
                return found, before + sums[k - 1] - sums[start]
            before += sums[-1] - sums[start]
            day = date(day.year + 1, 1, 1)

    def _nth_working_day(self, after: date, n: int) -> date:
        """The ``n``-th working day after ``after`` (``n`` >= 1)."""
        return self._seek(after, n, "days")[0]

    # Public arithmetic ------------------------------------------------------

    def add(self, start: datetime, amount: int, unit: str, clock: str) -> datetime:
        """The due time ``amount`` units after ``start`` on ``clock``, in UTC.

        * ``calendar``: plain elapsed time (``d`` = 24 hours); nights and
          holidays count, as for 24-hour services such as the 112 line.
        * ``working`` with ``m``/``h``: that much office time is consumed,
          skipping nights, weekends, holidays and days off. The result is the
          earliest instant at which it is used up, so it can be a closing time.
        * ``working`` with ``d``: from the next working instant, the same local
          time of day ``amount`` working days later, kept inside that day's
          hours (a Friday 16:20 report is due Monday 16:00 when Monday closes
          at 16:00).
        """
        _require_aware(start, "start")
        _check_clock(clock)
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
        if amount < 0:
            raise ValueError(f"amount must not be negative, got {amount}")
        start = start.astimezone(UTC)
        if clock == "calendar":
            return start + amount * _UNIT_DELTAS[unit]
        if unit == "d":
            return self._add_working_days(start, amount)
        return self._add_working_time(start, amount * (60 if unit == "h" else 1))

    def _add_working_time(self, start: datetime, minutes: int) -> datetime:
        remaining = minutes * _US_PER_MINUTE
        if remaining == 0:
            return start
        day, _ = self._local_day(start)
        today = self._open_close(day)
        if today is not None and start < today[1]:
            begin = max(start, today[0])
            available = (today[1] - begin) // _ONE_US
            if remaining <= available:
                return begin + remaining * _ONE_US
            remaining -= available
        found, before = self._seek(day, remaining, "work_us")
        opening = self._open_close(found)[0]  # type: ignore[index]
        return opening + (remaining - before) * _ONE_US

    def _add_working_days(self, start: datetime, days: int) -> datetime:
        begin = self.next_working_instant(start)
        day, offset = self._local_day(begin)
        if days == 0:
            return begin
        target = self._nth_working_day(day, days)
        opening, closing = self._period(target)  # type: ignore[misc]
        return self._instant(target, min(max(offset, opening), closing))

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes in ``[a, b)``; 0 when ``b <= a``.

        The first and last days are cut to the span; the days in between come
        from the per-year running totals.
        """
        _require_aware(a, "a")
        _require_aware(b, "b")
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        if b <= a:
            return 0.0
        first, _ = self._local_day(a)
        last, _ = self._local_day(b)
        if first == last:
            return self._overlap_us(first, a, b) / _US_PER_MINUTE
        micros = (
            self._overlap_us(first, a, b)
            + self._sum_days(first + timedelta(days=1), last, "work_us")
            + self._overlap_us(last, a, b)
        )
        return micros / _US_PER_MINUTE

    def _overlap_us(self, day: date, a: datetime, b: datetime) -> int:
        """Microseconds of ``day``'s working period inside ``[a, b)``."""
        span = self._open_close(day)
        if span is None:
            return 0
        begin, end = max(a, span[0]), min(b, span[1])
        return max(0, (end - begin) // _ONE_US)

    def elapsed(self, a: datetime, b: datetime, clock: str) -> float:
        """Minutes from ``a`` to ``b`` on ``clock``; 0 when ``b <= a`` on both clocks."""
        _check_clock(clock)
        if clock == "working":
            return self.working_minutes_between(a, b)
        _require_aware(a, "a")
        _require_aware(b, "b")
        return max(0.0, (b - a) / timedelta(minutes=1))
