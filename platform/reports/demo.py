"""Demo reports for a city: every status of the lifecycle, real JPEGs with EXIF,
and some photos that fail each verification check.

Used by ``manage.py seed_demo``. Idempotent: every demo report carries an
idempotency key, and a report that already exists is left as it is.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model

from cityconfig.models import Category, Opd
from cityconfig.selectors import city_profile, features
from people.actors import Actor
from people.models import Citizen, Role, StaffRole
from reports import actions
from reports.intake import ReportInput, Upload, submit_report
from reports.models import Status
from reports.selectors import report_for
from verification.samples import phone_photo, recompressed


@dataclass(frozen=True)
class Scenario:
    key: str
    category_hint: tuple[str, ...]
    description: str
    offset: tuple[float, float]
    minutes_ago: int = 20
    gps_offset: tuple[float, float] = (0.0001, 0.0001)
    exif: bool = True
    channel: str = "app"
    then: tuple[str, ...] = ()


SCENARIOS = [
    Scenario(
        "baru",
        ("jalan-rusak",),
        "Jalan berlubang besar dekat sekolah, sudah 2 minggu.",
        (0.004, 0.002),
    ),
    Scenario(
        "diterima",
        ("sampah", "sampah-liar"),
        "Sampah menumpuk di pinggir jalan, bau menyengat.",
        (-0.003, 0.004),
        then=("ack",),
    ),
    Scenario(
        "dikerjakan",
        ("drainase-tersumbat",),
        "Saluran air tersumbat, air meluap ke jalan saat hujan.",
        (0.002, -0.005),
        then=("ack", "progress"),
    ),
    Scenario(
        "selesai",
        ("pju",),
        "Lampu jalan mati sepanjang 200 meter, gelap di malam hari.",
        (-0.006, -0.002),
        then=("ack", "resolve"),
    ),
    Scenario(
        "ditutup",
        ("pohon-tumbang",),
        "Pohon tumbang menutupi separuh badan jalan.",
        (0.006, 0.006),
        then=("ack", "resolve", "confirm"),
    ),
    Scenario(
        "dibuka-lagi",
        ("jalan-rusak",),
        "Aspal yang baru diperbaiki sudah berlubang lagi.",
        (-0.001, 0.007),
        then=("ack", "resolve", "reopen"),
    ),
    Scenario(
        "butuh-info",
        ("fasilitas-umum-rusak",),
        "Bangku taman rusak dan berbahaya untuk anak-anak.",
        (0.007, -0.001),
        then=("ack", "ask"),
    ),
    Scenario(
        "tanpa-exif",
        ("parkir-liar",),
        "Parkir liar di trotoar depan pasar setiap pagi.",
        (-0.005, 0.005),
        exif=False,
        channel="web",
    ),
    Scenario(
        "foto-lama",
        ("jalan-rusak",),
        "Jalan rusak parah di gang sempit.",
        (0.003, 0.008),
        minutes_ago=5 * 24 * 60,
    ),
    Scenario(
        "foto-jauh",
        ("sampah", "sampah-liar"),
        "Tumpukan sampah di tanah kosong.",
        (-0.008, 0.001),
        gps_offset=(0.02, 0.0),
    ),
    Scenario("luar-kota", ("pju",), "Lampu jalan mati.", (0.5, 0.5)),
    Scenario(
        "foto-dipakai-ulang",
        ("jalan-rusak",),
        "Jalan rusak di depan kantor kelurahan.",
        (0.009, -0.004),
    ),
    Scenario(
        "duplikat", ("jalan-rusak",), "Ada lubang besar di jalan dekat sekolah.", (0.004, 0.002)
    ),
]
REUSED_FROM = "baru"


def _seed(*parts: str) -> int:
    """A stable seed (Python's str hash changes per process)."""
    return zlib.crc32("/".join(parts).encode()) % 5_000


def demo_password(slug: str) -> str:
    return f"demo-{slug}-2026"


def staff_user(slug: str, username: str, role: str, opd: Opd | None = None) -> Actor:
    users = get_user_model()
    user = users.objects.filter(username=username).first()
    if user is None:
        user = users.objects.create_user(username, password=demo_password(slug), is_staff=True)
    StaffRole.objects.get_or_create(user=user, role=role, opd=opd)
    return Actor.for_staff(user)


def _category(hints: tuple[str, ...]) -> Category:
    found = Category.objects.active().filter(code__in=hints).first()
    return found or Category.objects.active().filter(photo_required__isnull=True).first()


def seed_city(slug: str, center: tuple[float, float], *, history: bool = True) -> list[str]:
    """Create the demo reports of the active city; returns the tracking codes of
    the lifecycle scenarios. With ``history``, also a month of demo reports
    (:mod:`reports.demo_history`)."""
    profile = city_profile()
    anonymous_ok = features(profile).anonymous_reports
    citizens = [
        Citizen.objects.get_or_create(phone=f"+62812000{n:05d}", defaults={"name": name})[0]
        for n, name in enumerate(["Siti Aminah", "Budi Santoso", "Made Wirawan", "Rina Marlina"])
    ]
    operator = staff_user(slug, "operator", Role.OPERATOR)
    surveyor = staff_user(slug, "surveyor", Role.SURVEY_OFFICER)
    staff_user(slug, "command", Role.COMMAND_CENTER)
    now = datetime.now(UTC)
    photos: dict[str, bytes] = {}
    codes = []
    for index, scenario in enumerate(SCENARIOS):
        lat, lon = center[0] + scenario.offset[0], center[1] + scenario.offset[1]
        if scenario.key == "foto-dipakai-ulang" and REUSED_FROM in photos:
            data = recompressed(photos[REUSED_FROM], scale=0.7, quality=75)
        else:
            data = phone_photo(
                seed=_seed(slug, scenario.key),
                width=1200,
                height=900,
                taken_at=now - timedelta(minutes=scenario.minutes_ago),
                gps=(lat + scenario.gps_offset[0], lon + scenario.gps_offset[1])
                if scenario.exif
                else None,
                exif=scenario.exif,
            )
        photos[scenario.key] = data
        citizen = citizens[index % len(citizens)]
        actor = Actor.for_citizen(citizen)
        submission = submit_report(
            actor,
            ReportInput(
                category_code=_category(scenario.category_hint).code,
                description=scenario.description,
                latitude=lat,
                longitude=lon,
                accuracy_m=8.0,
                address=f"Dekat {profile.identity['name']} (data demo)",
                channel=scenario.channel if scenario.channel in profile.channels else "app",
                anonymous=anonymous_ok and index == 3,
                idempotency_key=f"demo-{slug}-{scenario.key}",
            ),
            [Upload(data, f"{scenario.key}.jpg")],
        )
        report = submission.report
        codes.append(report.tracking_code)
        if not submission.created:
            continue
        if report.status == Status.TRIAGE and scenario.then:
            actions.triage_accept(operator, report.tracking_code, "Laporan sesuai.")
            report.refresh_from_db()
        if report.status == Status.FIELD_SURVEY and scenario.then:
            actions.record_field_survey(
                surveyor, report.tracking_code, found=True, note="Sesuai di lapangan."
            )
            report.refresh_from_db()
        if report.status != Status.ASSIGNED:
            continue
        responder = staff_user(
            slug, f"petugas-{report.opd.code}"[:150], Role.OPD_RESPONDER, report.opd
        )
        for step in scenario.then:
            code = report.tracking_code
            if step == "ack":
                actions.acknowledge(responder, code, "Laporan diterima, akan ditindaklanjuti.")
            elif step == "progress":
                actions.add_progress_note(responder, code, "Petugas sudah di lokasi.")
            elif step == "resolve":
                proof = phone_photo(
                    seed=_seed(slug, scenario.key, "bukti"),
                    width=1200,
                    height=900,
                    taken_at=now - timedelta(minutes=5),
                    gps=(lat + 0.0001, lon),
                )
                actions.resolve(responder, code, "Sudah diperbaiki.", [Upload(proof, "bukti.jpg")])
            elif step == "confirm" and report.reporter:
                actions.confirm_resolution(actor, code)
                actions.rate(actor, code, 4, "Terima kasih, cepat ditangani.")
            elif step == "reopen" and report.reporter:
                actions.reopen(actor, code, "Masih rusak.")
            elif step == "ask":
                actions.request_info(
                    responder, code, "Mohon kirim patokan lokasi yang lebih jelas."
                )
    duplicate = next(
        (c for c, s in zip(codes, SCENARIOS, strict=True) if s.key == "duplikat"), None
    )
    original = codes[0]
    if duplicate:
        report = report_for(operator, duplicate)
        if report.status not in (Status.MERGED, Status.REJECTED):
            actions.merge_reports(operator, duplicate, original, "Lokasi dan masalah sama.")
    if history:
        from reports.demo_history import seed_history

        seed_history(slug, center)
    return codes
