"""The GraphQL API under a production server (uvicorn workers) on localhost.

    python bench/api.py                    # 300 submissions, 500 feed queries
    python bench/api.py --workers 2 --concurrency 8

Measures ``submitReport`` with a fresh 2000x1500 (3 MP) phone photo per request
(GraphQL multipart upload, bearer token) — submissions per second and p95 — and
the public feed query (20 reports with categories, OPDs, photos, timelines) p95.
Goals: ≥ 150 submissions/s and feed p95 < 25 ms on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from support import ROOT, percentile, setup_django

SUBMIT = (ROOT / "graphql" / "operations" / "SubmitReport.graphql").read_text() + (
    ROOT / "graphql" / "operations" / "ReportFields.graphql"
).read_text()
FEED = (ROOT / "graphql" / "operations" / "PublicFeed.graphql").read_text()
HOST = "kotacontoh.localhost"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(header.encode() + value.encode() + b"\r\n")
    for name, content in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{name}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post(port: int, body: bytes, content_type: str, token: str | None = None) -> tuple[float, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql/", data=body, method="POST")
    request.add_header("Host", HOST)
    request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.loads(response.read())
    return time.perf_counter() - start, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--feed", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from onboarding.loading import load_config
    from onboarding.services import apply_config, ensure_public_tenant
    from people.models import Citizen
    from people.tokens import issue_token
    from tenants.models import City
    from verification.samples import phone_photo

    ensure_public_tenant()
    apply_config(load_config(ROOT / "tests" / "fixtures" / "kotacontoh.yaml"), actor="bench")
    connection.set_tenant(City.objects.get(slug="kotacontoh"))
    tokens = [
        issue_token(
            "kotacontoh", citizen=Citizen.objects.get_or_create(phone=f"+6281288{i:06d}")[0]
        ).token
        for i in range(args.concurrency)
    ]
    now = datetime.now(UTC)
    print(f"generating {args.submissions} 3 MP photos…", flush=True)
    center = (-8.575, 116.105)
    jobs = []
    for index in range(args.submissions):
        lat = center[0] + (index // 40 - 4) * 0.0011
        lon = center[1] + (index % 40 - 20) * 0.0011
        photo = phone_photo(
            seed=index,
            width=2000,
            height=1500,
            taken_at=now - timedelta(minutes=3),
            gps=(lat + 0.0001, lon),
        )
        operations = json.dumps(
            {
                "query": SUBMIT,
                "variables": {
                    "input": {
                        "categoryCode": "jalan-rusak",
                        "description": "Jalan berlubang di depan rumah warga.",
                        "latitude": lat,
                        "longitude": lon,
                        "idempotencyKey": f"api-bench-{index}",
                    },
                    "photos": [None],
                },
            }
        )
        body, content_type = multipart(
            {"operations": operations, "map": json.dumps({"0": ["variables.photos.0"]})},
            {"0": photo},
        )
        jobs.append((body, content_type, tokens[index % len(tokens)]))
    connection.close()

    port = free_port()
    env = {
        **os.environ,
        "KANAL_ENV": "development",
        "DEBUG": "false",
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": ".localhost,127.0.0.1",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "kanal.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                post(
                    port,
                    json.dumps({"query": "{ appConfig { cityName } }"}).encode(),
                    "application/json",
                )
                break
            except OSError:
                time.sleep(0.2)
        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda job: post(port, *job), jobs))
        elapsed = time.perf_counter() - start
        failures = [r for _, r in results if r.get("errors") or r["data"]["submitReport"]["errors"]]
        latencies = [t for t, _ in results]
        rate = len(results) / elapsed
        print(
            f"submitReport: {len(results)} in {elapsed:.1f} s = {rate:.0f}/s "
            f"(goal 150/s, ratio {rate / 150:.2f}), {len(failures)} failed"
        )
        print(
            f"  latency median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.0f} ms"
        )
        for label, token in (("anonymous, public query cache", None), ("with a token", tokens[0])):
            # A citizen's token bypasses the public query cache: every query executes.
            feed = json.dumps({"query": FEED, "variables": {"first": 20}}).encode()
            times = [post(port, feed, "application/json", token)[0] for _ in range(args.feed)]
            p95 = percentile(times, 95) * 1000
            print(
                f"public feed, {label} (20 reports with category, OPD, photos, timeline): "
                f"median {statistics.median(times) * 1000:.1f} ms, p95 {p95:.1f} ms "
                f"(goal 25 ms, ratio {p95 / 25:.2f})"
            )
        if failures:
            print("first failure:", json.dumps(failures[0])[:500])
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
