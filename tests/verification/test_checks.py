"""The verification checks, passing and failing on real photos from the sample factory."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from verification.checks import (
    CheckResult,
    check_freshness,
    check_inside_city,
    check_not_reused,
    check_photo_location,
    combine,
    hamming,
)
from verification.geometry import distance_m
from verification.photos import MEGABYTE, PhotoFacts, inspect_photo
from verification.samples import phone_photo, recompressed

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 3, 1, 2, 30, tzinfo=UTC)  # 10:30 WITA, 09:30 WIB
TWO_HOURS = timedelta(hours=2)  # Pangkalpinang's max_photo_age
POTHOLE = (-8.5833, 116.1167)  # Jl. Pejanggik, Mataram
METRES_PER_DEGREE_LATITUDE = 111_195
MATARAM_BOX = {
    "type": "Polygon",
    "coordinates": [
        [[116.05, -8.62], [116.16, -8.62], [116.16, -8.53], [116.05, -8.53], [116.05, -8.62]]
    ],
}
CONFIG_DIR = Path(__file__).resolve().parents[2] / "tenant_configs"


@cache
def facts(city_tz: ZoneInfo = WITA, seed: int = 1, **options) -> PhotoFacts:
    settings = {"taken_at": NOW - timedelta(minutes=20), "gps": POTHOLE}
    data = phone_photo(seed=seed, width=1200, height=900, **{**settings, **options})
    return inspect_photo(data, city_tz=city_tz, max_bytes=15 * MEGABYTE, max_pixels=40_000_000)


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return (point[0] + metres / METRES_PER_DEGREE_LATITUDE, point[1])


def assert_explained(result: CheckResult) -> None:
    """Reasons are full sentences in both languages; details are storable as JSON."""
    assert result.reason_id.endswith(".")
    assert result.reason_en.endswith(".")
    assert result.reason_id != result.reason_en
    json.dumps(result.details)


# ---------------------------------------------------------------- freshness


def test_photo_taken_twenty_minutes_ago_is_fresh() -> None:
    result = check_freshness(facts(), now=NOW, max_age=TWO_HOURS, when_missing="fail")
    assert result.result == "pass"
    assert result.details["age_minutes"] == 20
    assert result.details["limit_minutes"] == 120
    assert result.reason_id == "Foto diambil 20 menit yang lalu, dalam batas 2 jam."
    assert_explained(result)


def test_photo_taken_three_days_ago_is_rejected_in_pangkalpinang() -> None:
    old = facts(taken_at=NOW - timedelta(days=3))
    result = check_freshness(old, now=NOW, max_age=TWO_HOURS, when_missing="fail")
    assert result.result == "fail"
    assert result.details["age_minutes"] == 3 * 24 * 60
    assert "3 hari yang lalu, melebihi batas 2 jam" in result.reason_id
    assert "3 days ago, more than the 2 hours limit" in result.reason_en
    assert_explained(result)


def test_three_day_old_photo_passes_a_three_day_channel_limit() -> None:
    old = facts(taken_at=NOW - timedelta(days=3) + timedelta(minutes=1))
    result = check_freshness(old, now=NOW, max_age=timedelta(days=3), when_missing="fail")
    assert result.result == "pass"


def test_photo_from_the_future_fails_beyond_ten_minutes_of_clock_skew() -> None:
    future = facts(taken_at=NOW + timedelta(hours=2))
    result = check_freshness(future, now=NOW, max_age=TWO_HOURS, when_missing="pass")
    assert result.result == "fail"
    assert "2 jam di masa depan" in result.reason_id
    assert "2 hours in the future" in result.reason_en
    assert result.details["age_minutes"] == -120
    assert_explained(result)


def test_photo_five_minutes_ahead_is_clock_skew_and_passes() -> None:
    ahead = facts(taken_at=NOW + timedelta(minutes=5))
    result = check_freshness(ahead, now=NOW, max_age=TWO_HOURS, when_missing="fail")
    assert result.result == "pass"


def test_wall_clock_without_offset_is_fresh_in_mataram_but_from_the_future_in_serang() -> None:
    """10:00 on the phone, no offset in EXIF, checked at 10:30 WITA = 09:30 WIB."""
    options = {"taken_at": datetime(2025, 3, 1, 10, 0), "tz_offset": None}  # the phone's wall clock
    in_mataram = check_freshness(
        facts(WITA, **options), now=NOW, max_age=TWO_HOURS, when_missing="fail"
    )
    in_serang = check_freshness(
        facts(WIB, **options), now=NOW, max_age=TWO_HOURS, when_missing="fail"
    )
    assert (in_mataram.result, in_mataram.details["age_minutes"]) == ("pass", 30)
    assert (in_serang.result, in_serang.details["age_minutes"]) == ("fail", -30)
    assert in_mataram.details["taken_at_source"] == "exif_city_zone"


@pytest.mark.parametrize("when_missing", ["pass", "warn", "fail"])
def test_photo_without_exif_time_follows_the_channel_policy(when_missing: str) -> None:
    bare = facts(exif=False)
    result = check_freshness(bare, now=NOW, max_age=TWO_HOURS, when_missing=when_missing)
    assert result.result == when_missing
    assert result.details["missing"] is True
    assert "waktu pengambilan" in result.reason_id
    assert_explained(result)


def test_report_without_photo_follows_the_channel_policy() -> None:
    result = check_freshness(None, now=NOW, max_age=TWO_HOURS, when_missing="warn")
    assert result.result == "warn"


def test_freshness_refuses_naive_now_and_unknown_policy() -> None:
    with pytest.raises(ValueError, match="aware"):
        check_freshness(
            facts(), now=NOW.replace(tzinfo=None), max_age=TWO_HOURS, when_missing="warn"
        )
    with pytest.raises(ValueError, match="when_missing"):
        check_freshness(facts(), now=NOW, max_age=TWO_HOURS, when_missing="maybe")


# ---------------------------------------------------------------- photo location


def test_photo_taken_thirty_metres_from_the_reported_point_passes() -> None:
    latitude, longitude = north_of(POTHOLE, 30)
    result = check_photo_location(
        facts(), latitude=latitude, longitude=longitude, max_distance_m=100, when_missing="fail"
    )
    assert result.result == "pass"
    assert result.details["distance_m"] == 30
    assert result.details["gps_accuracy_m"] == pytest.approx(4.5)
    assert result.reason_id == "Foto diambil 30 m dari titik laporan, dalam batas 100 m."
    assert_explained(result)


def test_photo_taken_eight_hundred_metres_away_fails() -> None:
    latitude, longitude = north_of(POTHOLE, 800)
    result = check_photo_location(
        facts(), latitude=latitude, longitude=longitude, max_distance_m=100, when_missing="pass"
    )
    assert result.result == "fail"
    assert result.details["distance_m"] == 800
    assert "800 m dari titik laporan, melebihi batas 100 m" in result.reason_id
    assert_explained(result)


def test_far_distances_are_given_in_kilometres_with_local_decimal_marks() -> None:
    latitude, longitude = north_of(POTHOLE, 12_400)
    result = check_photo_location(
        facts(), latitude=latitude, longitude=longitude, max_distance_m=200, when_missing="pass"
    )
    assert "12,4 km" in result.reason_id
    assert "12.4 km" in result.reason_en


@pytest.mark.parametrize("when_missing", ["pass", "warn", "fail"])
def test_photo_without_gps_follows_the_channel_policy(when_missing: str) -> None:
    result = check_photo_location(
        facts(gps=None), latitude=POTHOLE[0], longitude=POTHOLE[1], max_distance_m=100,
        when_missing=when_missing,
    )  # fmt: skip
    assert result.result == when_missing
    assert "lokasi GPS" in result.reason_id
    assert_explained(result)


def test_haversine_gives_a_degree_of_latitude_and_shrinks_longitude_off_the_equator() -> None:
    assert distance_m(-8.0, 116.0, -9.0, 116.0) == pytest.approx(
        METRES_PER_DEGREE_LATITUDE, rel=1e-3
    )
    assert distance_m(-60.0, 116.0, -60.0, 117.0) == pytest.approx(55_600, rel=1e-2)


# ---------------------------------------------------------------- inside the city


def test_point_inside_the_mataram_box_passes() -> None:
    result = check_inside_city(*POTHOLE, MATARAM_BOX)
    assert result.result == "pass"
    assert_explained(result)


def test_point_east_of_mataram_fails_with_its_distance_outside() -> None:
    result = check_inside_city(-8.58, 116.20, MATARAM_BOX)
    assert result.result == "fail"
    assert result.details["distance_outside_m"] == pytest.approx(4_400, rel=0.02)
    assert "4,4 km di luar wilayah kota" in result.reason_id
    assert_explained(result)


def test_point_on_the_boundary_counts_as_inside() -> None:
    assert check_inside_city(-8.58, 116.05, MATARAM_BOX).result == "pass"


def test_multipolygon_city_with_an_island() -> None:
    island = [[[116.30, -8.40], [116.32, -8.40], [116.32, -8.38], [116.30, -8.38], [116.30, -8.40]]]
    city = {"type": "MultiPolygon", "coordinates": [MATARAM_BOX["coordinates"], island]}
    assert check_inside_city(-8.39, 116.31, city).result == "pass"
    assert check_inside_city(-8.45, 116.25, city).result == "fail"


def test_boundaries_from_the_seed_city_configs_contain_their_city_centres() -> None:
    centres = {"mataram": POTHOLE, "pangkalpinang": (-2.1291, 106.1090), "serang": (-6.12, 106.15)}
    for slug, centre in centres.items():
        boundary = yaml.safe_load((CONFIG_DIR / f"{slug}.yaml").read_text())["boundary"]
        assert check_inside_city(*centre, boundary).result == "pass", slug
        pothole_in_mataram = check_inside_city(*POTHOLE, boundary).result
        assert pothole_in_mataram == ("pass" if slug == "mataram" else "fail"), slug


def test_prepared_boundary_is_reused_across_submissions() -> None:
    from verification.geometry import _prepared as _prepared_boundary

    boundary = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    check_inside_city(0.1, 0.5, boundary)
    hits = _prepared_boundary.cache_info().hits
    check_inside_city(0.2, 0.5, dict(boundary))
    assert _prepared_boundary.cache_info().hits == hits + 1


def test_areas_and_the_city_share_one_repaired_shape() -> None:
    """Routing's area lookup uses the same repaired polygon as the city check:
    a bow-tie ring drawn by hand is repaired for both, not only for one."""
    from routing.services import prepared_polygon as routing_polygon

    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    assert routing_polygon(bow_tie).is_valid
    assert check_inside_city(0.5, 1.9, bow_tie).result == "pass"


def test_boundary_must_be_a_polygon() -> None:
    with pytest.raises(ValueError, match="Polygon"):
        check_inside_city(0, 0, {"type": "Point", "coordinates": [0, 0]})


# ---------------------------------------------------------------- reuse


@cache
def pothole_photo() -> bytes:
    return phone_photo(seed=21, taken_at=NOW, gps=POTHOLE)


def test_resized_and_recompressed_copy_of_an_earlier_photo_is_caught() -> None:
    original = inspect_photo(
        pothole_photo(), city_tz=WITA, max_bytes=15 * MEGABYTE, max_pixels=40_000_000
    )
    copy = inspect_photo(
        recompressed(pothole_photo(), scale=0.5, quality=70),
        city_tz=WITA, max_bytes=15 * MEGABYTE, max_pixels=40_000_000,
    )  # fmt: skip
    earlier = [("MTR-2025-000101", facts(seed=5).phash), ("MTR-2025-000102", original.phash)]
    result = check_not_reused(copy.phash, earlier, max_distance=6)
    assert result.result == "fail"
    assert result.details["matched_tracking_code"] == "MTR-2025-000102"
    assert result.details["closest_distance"] <= 6
    assert "laporan MTR-2025-000102" in result.reason_id
    assert "report MTR-2025-000102" in result.reason_en
    assert_explained(result)


def test_photo_of_another_scene_is_not_a_reuse() -> None:
    earlier = [("MTR-2025-000102", facts(seed=21).phash)]
    result = check_not_reused(facts(seed=22).phash, earlier, max_distance=6)
    assert result.result == "pass"
    assert result.details["compared"] == 1
    assert result.details["closest_distance"] > 6
    assert_explained(result)


def test_first_report_has_nothing_to_be_reused_from() -> None:
    result = check_not_reused(facts().phash, [], max_distance=6)
    assert (result.result, result.details["closest_distance"]) == ("pass", None)
    assert_explained(result)


def test_different_scenes_hash_far_apart() -> None:
    hashes = [facts(seed=seed).phash for seed in range(30, 42)]
    closest = min(hamming(a, b) for a, b in itertools.combinations(hashes, 2))
    assert closest > 10


def test_hamming_counts_differing_bits_of_signed_hashes() -> None:
    assert hamming(0, 0) == 0
    assert hamming(-1, 0) == 64
    assert hamming(-(2**63), 2**63 - 1) == 64
    assert hamming(0b1011, 0b0001) == 2


# ---------------------------------------------------------------- combining


@pytest.mark.parametrize(
    ("outcomes", "overall"),
    [
        ([], "pass"),
        (["pass", "pass"], "pass"),
        (["pass", "warn"], "warn"),
        (["warn", "fail", "pass"], "fail"),
    ],
)
def test_submission_outcome_is_the_worst_check(outcomes: list[str], overall: str) -> None:
    results = [CheckResult("x", outcome, "Alasan.", "Reason.", {}) for outcome in outcomes]
    assert combine(results) == overall
