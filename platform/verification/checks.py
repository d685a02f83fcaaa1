"""The individual verification checks, as pure functions.

Each check answers one question about a submission (is the photo fresh, taken
where the report says, inside the city, not reused?) and returns a
:class:`CheckResult`: ``pass``, ``warn`` (an operator looks at it) or ``fail``,
with a full sentence in Indonesian and English that names the measured value
and the limit, because citizens and operators see these reasons and must be able
to tell what to do. The caller (report intake) picks the limits from the city's
policy for the channel and stores ``details`` as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from shapely.geometry import Point
from shapely.ops import nearest_points

from kanal.i18n import render_in
from verification.geometry import distance_m, prepared_polygon
from verification.photos import PhotoFacts

RESULTS = ("pass", "warn", "fail")
CLOCK_SKEW = timedelta(minutes=10)  # phones' clocks drift; a little future is not fraud
HASH_BITS = 64
_HASH_MASK = (1 << HASH_BITS) - 1
_MAX_MATCHES_LISTED = 5


@dataclass(frozen=True)
class CheckResult:
    """A check's outcome. The reason is stored in both of the platform's
    languages because it is part of the report's record (what the citizen was
    told at the time); both come from the gettext catalog through :meth:`of`."""

    name: str
    result: str
    reason_id: str
    reason_en: str
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        name: str,
        result: str,
        message: str | Promise,
        params: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> CheckResult:
        return cls(
            name,
            result,
            render_in("id", message, params),
            render_in("en", message, params),
            details or {},
        )


# ---------------------------------------------------------------- formatting


def _fixed(value: float, decimals: int = 0) -> str:
    """A number in the reader's notation (1.250,5 in Indonesian, 1,250.5 in English)."""
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


_number = lazy(_fixed, str)


def _distance_now(meters: float) -> str:
    if meters < 1000:
        return f"{_fixed(meters)} m"
    return f"{_fixed(meters / 1000, 1)} km"


_distance = lazy(_distance_now, str)


def _duration_now(minutes: float) -> str:
    """Minutes below two hours, hours below three days, then days."""
    minutes = abs(minutes)
    if minutes < 120:
        amount = round(minutes)
        return ngettext("%(count)s menit", "%(count)s menit", amount) % {"count": amount}
    if minutes < 72 * 60:
        amount = round(minutes / 60)
        return ngettext("%(count)s jam", "%(count)s jam", amount) % {"count": amount}
    amount = round(minutes / 1440)
    return ngettext("%(count)s hari", "%(count)s hari", amount) % {"count": amount}


_duration = lazy(_duration_now, str)


def _check_when_missing(when_missing: str) -> None:
    if when_missing not in RESULTS:
        raise ValueError(f"when_missing must be one of {RESULTS}, not {when_missing!r}")


_MISSING_CONSEQUENCE = {
    "pass": _("diterima sesuai kebijakan kanal ini"),
    "warn": _("laporan akan diperiksa operator"),
    "fail": _("kanal ini mewajibkan foto langsung dari kamera ponsel"),
}


def _missing(name: str, when_missing: str, what: str | Promise, **details: Any) -> CheckResult:
    return CheckResult.of(
        name,
        when_missing,
        _("Foto tidak memiliki %(what)s; %(consequence)s."),
        {"what": what, "consequence": _MISSING_CONSEQUENCE[when_missing]},
        {"missing": True, **details},
    )


# ---------------------------------------------------------------- freshness


def check_freshness(
    facts: PhotoFacts | None, *, now: datetime, max_age: timedelta, when_missing: str
) -> CheckResult:
    """Was the photo taken recently? Older than ``max_age`` fails, and so does a
    capture time more than ten minutes in the future (beyond clock skew).
    Without a capture time (no photo, or no EXIF/GPS time) the result is
    ``when_missing``. ``now`` must be timezone-aware."""
    _check_when_missing(when_missing)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    limit_minutes = round(max_age.total_seconds() / 60)
    if facts is None or facts.taken_at is None:
        return _missing(
            "photo_fresh",
            when_missing,
            _("waktu pengambilan (EXIF)"),
            limit_minutes=limit_minutes,
        )
    age = now - facts.taken_at
    age_minutes = round(age.total_seconds() / 60)
    details = {
        "age_minutes": age_minutes,
        "limit_minutes": limit_minutes,
        "taken_at": facts.taken_at.isoformat(),
        "taken_at_source": facts.taken_at_source,
    }
    if age < -CLOCK_SKEW:
        return _taken_in_future(age_minutes, details)
    limit = _duration(limit_minutes)
    if age > max_age:
        return CheckResult.of(
            "photo_fresh",
            "fail",
            _(
                "Foto diambil %(age)s yang lalu, melebihi batas %(limit)s; "
                "kirim foto baru dari lokasi."
            ),
            {"age": _duration(age_minutes), "limit": limit},
            details,
        )
    return CheckResult.of(
        "photo_fresh",
        "pass",
        _("Foto diambil %(age)s yang lalu, dalam batas %(limit)s."),
        {"age": _duration(max(age_minutes, 0)), "limit": limit},
        details,
    )


def _taken_in_future(age_minutes: int, details: dict[str, Any]) -> CheckResult:
    tolerance = round(CLOCK_SKEW.total_seconds() / 60)
    return CheckResult.of(
        "photo_fresh",
        "fail",
        _(
            "Waktu pengambilan foto %(age)s di masa depan (toleransi %(tolerance)s menit); "
            "periksa jam ponsel lalu ambil ulang foto."
        ),
        {"age": _duration(age_minutes), "tolerance": tolerance},
        {**details, "future_tolerance_minutes": tolerance},
    )


# ---------------------------------------------------------------- location


def check_photo_location(
    facts: PhotoFacts | None,
    *,
    latitude: float,
    longitude: float,
    max_distance_m: float,
    when_missing: str,
) -> CheckResult:
    """Was the photo taken where the report says? Compares the photo's GPS with
    the reported point; farther than ``max_distance_m`` fails. Without GPS the
    result is ``when_missing``."""
    _check_when_missing(when_missing)
    limit = round(max_distance_m)
    if facts is None or facts.gps is None:
        return _missing("photo_location", when_missing, _("lokasi GPS"), limit_m=limit)
    meters = distance_m(facts.gps[0], facts.gps[1], latitude, longitude)
    details = {
        "distance_m": round(meters),
        "limit_m": limit,
        "gps_accuracy_m": facts.gps_accuracy_m,
    }
    within = meters <= max_distance_m
    message = (
        _("Foto diambil %(distance)s dari titik laporan, dalam batas %(limit)s.")
        if within
        else _(
            "Foto diambil %(distance)s dari titik laporan, melebihi batas %(limit)s; "
            "ambil foto di lokasi masalah."
        )
    )
    return CheckResult.of(
        "photo_location",
        "pass" if within else "fail",
        message,
        {"distance": _distance(meters), "limit": _distance(limit)},
        details,
    )


# ---------------------------------------------------------------- city boundary


def check_inside_city(latitude: float, longitude: float, boundary: dict[str, Any]) -> CheckResult:
    """Is the reported point inside the city (GeoJSON Polygon/MultiPolygon in
    lon/lat; a point on the boundary counts as inside)? Outside fails, with the
    distance to the boundary so an operator sees a near miss at a glance."""
    geometry = prepared_polygon(boundary)
    point = Point(longitude, latitude)
    details: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if geometry.covers(point):
        return CheckResult.of(
            "inside_city", "pass", _("Titik laporan berada di dalam wilayah kota."), None, details
        )
    nearest = nearest_points(geometry, point)[0]
    outside = distance_m(latitude, longitude, nearest.y, nearest.x)
    details["distance_outside_m"] = round(outside)
    return CheckResult.of(
        "inside_city",
        "fail",
        _(
            "Titik laporan berada %(distance)s di luar wilayah kota; "
            "laporan hanya diterima untuk lokasi di dalam kota."
        ),
        {"distance": _distance(outside)},
        details,
    )


# ---------------------------------------------------------------- reuse


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit perceptual hashes (signed or not)."""
    return ((a ^ b) & _HASH_MASK).bit_count()


def check_not_reused(
    phash: int, earlier: Iterable[tuple[str, int]], *, max_distance: int
) -> CheckResult:
    """Was this photo already used in an earlier report? ``earlier`` holds
    (tracking_code, phash) of earlier reports' photos; a hash within
    ``max_distance`` bits (a resized or recompressed copy) fails, naming the
    closest earlier report."""
    matches: list[tuple[int, str]] = []
    closest: int | None = None
    compared = 0
    for tracking_code, other in earlier:
        compared += 1
        bits = hamming(phash, other)
        closest = bits if closest is None else min(closest, bits)
        if bits <= max_distance:
            matches.append((bits, tracking_code))
    details: dict[str, Any] = {
        "compared": compared,
        "closest_distance": closest,
        "limit": max_distance,
    }
    if not matches:
        # Citizens read this: the measured distance stays in ``details`` for staff.
        if not compared:
            return CheckResult.of(
                "photo_not_reused",
                "pass",
                _("Foto ini belum pernah dipakai di laporan lain."),
                None,
                details,
            )
        return CheckResult.of(
            "photo_not_reused",
            "pass",
            _("Foto ini berbeda dari %(count)s foto laporan sebelumnya yang paling mirip."),
            {"count": _number(compared)},
            details,
        )
    matches.sort()
    bits, code = matches[0]
    details["matched_tracking_code"] = code
    details["matches"] = [match_code for _, match_code in matches[:_MAX_MATCHES_LISTED]]
    return CheckResult.of(
        "photo_not_reused",
        "fail",
        _(
            "Foto ini sama dengan foto pada laporan %(code)s (jarak hash %(bits)s, batas "
            "%(limit)s); kirim foto baru dari lokasi."
        ),
        {"code": code, "bits": bits, "limit": max_distance},
        details,
    )


def combine(results: list[CheckResult]) -> str:
    """The submission's overall outcome: the worst of its checks."""
    outcomes = {result.result for result in results}
    if "fail" in outcomes:
        return "fail"
    if "warn" in outcomes:
        return "warn"
    return "pass"
