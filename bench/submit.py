"""Verified submissions per second through the service layer.

    python bench/submit.py                 # 400 submissions, 2 processes
    python bench/submit.py --count 1000 --processes 2

Each submission is a citizen's report with one fresh 2000x1500 (3 MP) phone
JPEG carrying EXIF time and GPS, through ``reports.intake.submit_report``:
photo inspection, every verification check (including the reuse search over all
earlier photos and the nearby-duplicate search), storage of the original and the
stripped public copy, routing, timeline and outbox — all on real PostgreSQL.
Prints throughput, its ratio to the 200/s goal, and latency percentiles.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from datetime import UTC, datetime, timedelta

from support import ROOT, percentile, setup_django

GOAL_PER_SECOND = 200


# Photos closer than this many hash bits would be refused as reused (kotacontoh's
# policy allows 6); a margin keeps every generated scene clearly distinct.
MIN_HASH_DISTANCE = 10


def make_photos(count: int, center: tuple[float, float]) -> list[tuple[bytes, float, float]]:
    """``count`` distinct scenes: a synthetic scene whose perceptual hash comes
    close to an earlier one is skipped, as two real street photos would differ."""
    import zoneinfo

    from verification.photos import inspect_photo
    from verification.samples import phone_photo

    now = datetime.now(UTC)
    photos, hashes, seed = [], [], 0
    while len(photos) < count:
        index = len(photos)
        # A grid ~120 m apart so no submission is another's nearby duplicate.
        lat = center[0] + (index // 40 - 5) * 0.0011
        lon = center[1] + (index % 40 - 20) * 0.0011
        data = phone_photo(
            seed=seed,
            width=2000,
            height=1500,
            taken_at=now - timedelta(minutes=5),
            gps=(lat + 0.0001, lon),
        )
        seed += 1
        phash = inspect_photo(
            data, city_tz=zoneinfo.ZoneInfo("Asia/Makassar"), max_bytes=10**8, max_pixels=10**8
        ).phash
        if any((phash ^ other).bit_count() < MIN_HASH_DISTANCE for other in hashes):
            continue
        hashes.append(phash)
        photos.append((data, lat, lon))
    return photos


def worker(args) -> list[float]:
    schema, photos, offset = args
    from django.db import connection

    from people.actors import Actor
    from people.models import Citizen
    from reports.intake import ReportInput, Upload, submit_report
    from tenants.models import City

    connection.close()
    connection.set_tenant(City.objects.get(schema_name=schema))
    citizen = Actor.for_citizen(Citizen.objects.get_or_create(phone=f"+6281299{offset:06d}")[0])
    latencies = []
    for index, (data, lat, lon) in enumerate(photos):
        start = time.perf_counter()
        result = submit_report(
            citizen,
            ReportInput(
                category_code="jalan-rusak",
                description="Jalan berlubang di depan rumah warga, berbahaya.",
                latitude=lat,
                longitude=lon,
                idempotency_key=f"bench-{offset}-{index}",
            ),
            [Upload(data)],
        )
        latencies.append(time.perf_counter() - start)
        assert result.report.verdict == "auto_verified", result.checks
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    setup_django()
    import logging

    logging.getLogger("reports").setLevel(logging.WARNING)
    from django.db import connection

    from onboarding.loading import load_config
    from onboarding.services import apply_config, ensure_public_tenant

    ensure_public_tenant()
    config = load_config(ROOT / "tests" / "fixtures" / "kotacontoh.yaml")
    apply_config(config, actor="bench")
    center = (-8.575, 116.105)
    print(f"generating {args.count} 3 MP photos…", flush=True)
    photos = make_photos(args.count, center)
    size = statistics.mean(len(p[0]) for p in photos) / 1024
    connection.close()
    chunks = [("kota_kotacontoh", photos[i :: args.processes], i) for i in range(args.processes)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.processes) as pool:
        results = pool.map(worker, chunks)
    elapsed = time.perf_counter() - start
    latencies = [x for chunk in results for x in chunk]
    rate = len(latencies) / elapsed
    print(f"photos: 2000x1500 JPEG, mean {size:.0f} KiB")
    print(
        f"{len(latencies)} verified submissions, {args.processes} processes, {elapsed:.1f} s: "
        f"{rate:.0f}/s (goal {GOAL_PER_SECOND}/s, ratio {rate / GOAL_PER_SECOND:.2f})"
    )
    print(
        f"latency: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
