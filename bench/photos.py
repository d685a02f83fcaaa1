"""Photo verification throughput: the per-submission photo work of report intake.

    python bench/photos.py                 # 200 phone photos of 2000x1500 (3 MP)
    python bench/photos.py --photos 500 --width 1600 --height 1200

Intake must verify at least 200 submissions/s on 2 cores, so one core has about
10 ms per submission for everything. This pre-generates phone JPEGs with EXIF,
GPS and thumbnail (different seeds, so different scenes), pins itself to one
CPU, then times per photo: ``inspect_photo`` + ``public_copy`` + the four checks
(freshness, location, inside the city, reuse against the photos seen so far).
Prints the median and p95 per photo, each stage's median, and photos/s on one
core. No database: the database work of intake is not included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Plain folder on sys.path, as kanal/__init__.py sets it up for every entry point.
sys.path.append(str(Path(__file__).resolve().parent.parent / "platform"))
from verification.checks import (
    check_freshness,
    check_inside_city,
    check_not_reused,
    check_photo_location,
    combine,
)
from verification.photos import MEGABYTE, inspect_photo, public_copy
from verification.samples import phone_photo

MATARAM = ZoneInfo("Asia/Makassar")
NOW = datetime(2025, 3, 1, 2, 30, tzinfo=UTC)
POTHOLE = (-8.5833, 116.1167)
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [
        [[116.05, -8.62], [116.16, -8.62], [116.16, -8.53], [116.05, -8.53], [116.05, -8.62]]
    ],
}
STAGES = ("inspect", "public_copy", "checks")


def generate(count: int, width: int, height: int) -> list[bytes]:
    return [
        phone_photo(
            seed=seed,
            width=width,
            height=height,
            taken_at=NOW - timedelta(minutes=seed % 90),
            gps=(POTHOLE[0] + seed * 1e-6, POTHOLE[1]),  # within 25 m
        )
        for seed in range(count)
    ]


def verify(data: bytes, earlier: list[tuple[str, int]]) -> tuple[str, dict[str, float]]:
    """One submission's photo work, as intake does it; returns the outcome and stage times."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    facts = inspect_photo(data, city_tz=MATARAM, max_bytes=15 * MEGABYTE, max_pixels=40_000_000)
    times["inspect"] = time.perf_counter() - start
    start = time.perf_counter()
    public_copy(data, facts)
    times["public_copy"] = time.perf_counter() - start
    start = time.perf_counter()
    results = [
        check_freshness(facts, now=NOW, max_age=timedelta(hours=2), when_missing="fail"),
        check_photo_location(
            facts,
            latitude=POTHOLE[0],
            longitude=POTHOLE[1],
            max_distance_m=100,
            when_missing="fail",
        ),
        check_inside_city(*POTHOLE, BOUNDARY),
        check_not_reused(facts.phash, earlier, max_distance=6),
    ]
    outcome = combine(results)
    if outcome != "pass":  # name the checks, so a surprising outcome is easy to chase
        outcome += " (" + ", ".join(r.name for r in results if r.result != "pass") + ")"
    times["checks"] = time.perf_counter() - start
    earlier.append((f"MTR-2025-{len(earlier):06d}", facts.phash))
    return outcome, times


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--width", type=int, default=2000)
    parser.add_argument("--height", type=int, default=1500)
    args = parser.parse_args()

    start = time.perf_counter()
    photos = generate(args.photos, args.width, args.height)
    mean_kb = statistics.mean(len(p) for p in photos) / 1024
    print(
        f"generated {len(photos)} photos of {args.width}x{args.height} "
        f"(mean {mean_kb:.0f} KB) in {time.perf_counter() - start:.1f} s"
    )
    print(pin_to_one_core())
    verify(photos[0], [])  # warm-up: first calls import scipy and build caches

    earlier: list[tuple[str, int]] = []
    totals: list[float] = []
    stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
    outcomes: dict[str, int] = {}
    for data in photos:
        outcome, times = verify(data, earlier)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        totals.append(sum(times.values()))
        for stage in STAGES:
            stages[stage].append(times[stage])

    ms = 1000
    print(
        f"per photo: median {statistics.median(totals) * ms:.2f} ms, "
        f"p95 {percentile(totals, 95) * ms:.2f} ms, max {max(totals) * ms:.2f} ms"
    )
    print(
        "stage medians: "
        + ", ".join(f"{stage} {statistics.median(stages[stage]) * ms:.2f} ms" for stage in STAGES)
    )
    print(f"throughput: {len(totals) / sum(totals):.0f} photos/s on one core")
    print(f"outcomes: {outcomes}")


if __name__ == "__main__":
    main()
