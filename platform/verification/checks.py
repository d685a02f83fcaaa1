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

from shapely.geometry import Point
from shapely.ops import nearest_points

from verification.geometry import distance_m, prepared_polygon
from verification.photos import PhotoFacts

RESULTS = ("pass", "warn", "fail")
CLOCK_SKEW = timedelta(minutes=10)  # phones' clocks drift; a little future is not fraud
HASH_BITS = 64
_HASH_MASK = (1 << HASH_BITS) - 1
_MAX_MATCHES_LISTED = 5


@dataclass(frozen=True)
class CheckResult:
    name: str
    result: str
    reason_id: str
    reason_en: str
    details: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- formatting


def _number(value: float, lang: str, decimals: int = 0) -> str:
    """Indonesian writes 1.250,5 where English writes 1,250.5."""
    text = f"{value:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def _distance(meters: float, lang: str) -> str:
    if meters < 1000:
        return f"{_number(meters, lang)} m"
    return f"{_number(meters / 1000, lang, 1)} km"


def _duration(minutes: float, lang: str) -> str:
    """Minutes below two hours, hours below three days, then days."""
    minutes = abs(minutes)
    if minutes < 120:
        amount, unit_id, unit_en = round(minutes), "menit", "minute"
    elif minutes < 72 * 60:
        amount, unit_id, unit_en = round(minutes / 60), "jam", "hour"
    else:
        amount, unit_id, unit_en = round(minutes / 1440), "hari", "day"
    if lang == "id":
        return f"{amount} {unit_id}"
    return f"{amount} {unit_en}" + ("" if amount == 1 else "s")


def _check_when_missing(when_missing: str) -> None:
    if when_missing not in RESULTS:
        raise ValueError(f"when_missing must be one of {RESULTS}, not {when_missing!r}")


_MISSING_CONSEQUENCE = {
    "pass": ("diterima sesuai kebijakan kanal ini", "accepted under this channel's policy"),
    "warn": ("laporan akan diperiksa operator", "an operator will review the report"),
    "fail": (
        "kanal ini mewajibkan foto langsung dari kamera ponsel",
        "this channel requires a photo straight from the phone camera",
    ),
}


def _missing(
    name: str, when_missing: str, what_id: str, what_en: str, **details: Any
) -> CheckResult:
    consequence_id, consequence_en = _MISSING_CONSEQUENCE[when_missing]
    return CheckResult(
        name,
        when_missing,
        f"Foto tidak memiliki {what_id}; {consequence_id}.",
        f"The photo has no {what_en}; {consequence_en}.",
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
            "waktu pengambilan (EXIF)",
            "capture time (EXIF)",
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
    limit_id, limit_en = _duration(limit_minutes, "id"), _duration(limit_minutes, "en")
    if age > max_age:
        return CheckResult(
            "photo_fresh",
            "fail",
            f"Foto diambil {_duration(age_minutes, 'id')} yang lalu, melebihi batas "
            f"{limit_id}; kirim foto baru dari lokasi.",
            f"The photo was taken {_duration(age_minutes, 'en')} ago, more than the "
            f"{limit_en} limit; send a new photo from the spot.",
            details,
        )
    return CheckResult(
        "photo_fresh",
        "pass",
        f"Foto diambil {_duration(max(age_minutes, 0), 'id')} yang lalu, dalam batas {limit_id}.",
        f"The photo was taken {_duration(max(age_minutes, 0), 'en')} ago, within the "
        f"{limit_en} limit.",
        details,
    )


def _taken_in_future(age_minutes: int, details: dict[str, Any]) -> CheckResult:
    tolerance = round(CLOCK_SKEW.total_seconds() / 60)
    return CheckResult(
        "photo_fresh",
        "fail",
        f"Waktu pengambilan foto {_duration(age_minutes, 'id')} di masa depan (toleransi "
        f"{tolerance} menit); periksa jam ponsel lalu ambil ulang foto.",
        f"The photo's capture time is {_duration(age_minutes, 'en')} in the future "
        f"({tolerance} minutes tolerated); check the phone's clock and take the photo again.",
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
        return _missing("photo_location", when_missing, "lokasi GPS", "GPS location", limit_m=limit)
    meters = distance_m(facts.gps[0], facts.gps[1], latitude, longitude)
    details = {
        "distance_m": round(meters),
        "limit_m": limit,
        "gps_accuracy_m": facts.gps_accuracy_m,
    }
    within = meters <= max_distance_m
    return CheckResult(
        "photo_location",
        "pass" if within else "fail",
        f"Foto diambil {_distance(meters, 'id')} dari titik laporan, "
        + (f"dalam batas {_distance(limit, 'id')}." if within else _too_far_id(limit)),
        f"The photo was taken {_distance(meters, 'en')} from the reported point, "
        + (f"within the {_distance(limit, 'en')} limit." if within else _too_far_en(limit)),
        details,
    )


def _too_far_id(limit: float) -> str:
    return f"melebihi batas {_distance(limit, 'id')}; ambil foto di lokasi masalah."


def _too_far_en(limit: float) -> str:
    return (
        f"more than the {_distance(limit, 'en')} limit; take the photo at the problem's location."
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
        return CheckResult(
            "inside_city",
            "pass",
            "Titik laporan berada di dalam wilayah kota.",
            "The reported point is inside the city.",
            details,
        )
    nearest = nearest_points(geometry, point)[0]
    outside = distance_m(latitude, longitude, nearest.y, nearest.x)
    details["distance_outside_m"] = round(outside)
    return CheckResult(
        "inside_city",
        "fail",
        f"Titik laporan berada {_distance(outside, 'id')} di luar wilayah kota; "
        "laporan hanya diterima untuk lokasi di dalam kota.",
        f"The reported point is {_distance(outside, 'en')} outside the city; "
        "reports are only accepted for places inside the city.",
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
            return CheckResult(
                "photo_not_reused",
                "pass",
                "Foto ini belum pernah dipakai di laporan lain.",
                "This photo has not been used in another report.",
                details,
            )
        return CheckResult(
            "photo_not_reused",
            "pass",
            f"Foto ini berbeda dari {_number(compared, 'id')} foto laporan sebelumnya "
            "yang paling mirip.",
            f"This photo differs from the {_number(compared, 'en')} most similar earlier "
            "report photos.",
            details,
        )
    matches.sort()
    bits, code = matches[0]
    details["matched_tracking_code"] = code
    details["matches"] = [match_code for _, match_code in matches[:_MAX_MATCHES_LISTED]]
    return CheckResult(
        "photo_not_reused",
        "fail",
        f"Foto ini sama dengan foto pada laporan {code} (jarak hash {bits}, batas "
        f"{max_distance}); kirim foto baru dari lokasi.",
        f"This photo is the same as the photo of report {code} (hash distance {bits}, "
        f"limit {max_distance}); send a new photo from the spot.",
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
