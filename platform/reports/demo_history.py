"""A month of demo history for a city: hundreds of reports over its categories,
OPDs, kecamatan and kelurahan, in every stage of the lifecycle.

The services would take minutes for this (photo inspection, row locks, outbox,
live events per step), so the rows are built here and written with bulk inserts;
every field is what the services would have written: the verdict and checks of
an accepted report, the OPD of the routing rules, SLA due times from the city's
working calendar (``sla.services``), response/resolution minutes and "within
SLA", and one timeline entry per step with the services' action names. Photos
are a small pool of real phone JPEGs per city, stored once and shared by the
rows (each demo row points at a pool file; no new upload is compared with them
except a citizen re-sending the same demo picture).

Deterministic (``random.Random`` seeded with the slug) and idempotent: each
report carries the idempotency key ``demo-<slug>-h<n>``; a second run creates
nothing.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from shapely.geometry import Point, shape
from shapely.validation import make_valid

import sla.services as sla
from cityconfig.models import Area, Category, CityProfile
from cityconfig.schema import duration_minutes
from cityconfig.selectors import city_profile
from people.models import Citizen, Role, StaffRole
from reports.models import Photo, PhotoKind, Report, Status, TimelineEntry, Verdict
from reports.selectors import phash_bands
from reports.storage import PrivateCityStorage
from reports.tracking import ALPHABET
from routing.services import route
from verification.photos import inspect_photo, public_copy
from verification.samples import phone_photo

#: Reports per city; other cities get DEFAULT_VOLUME.
VOLUME = {"jakarta": 600}
DEFAULT_VOLUME = 200
DAYS = 30
POOL = 12  # distinct photos per city

# What citizens write, by category (first matching code wins), in their words.
TEXTS = {
    "jalan-rusak": [
        "Jalan berlubang cukup dalam, motor sering terjatuh.",
        "Aspal mengelupas sepanjang 50 meter, bahaya saat hujan.",
        "Lubang besar di tengah jalan dekat pertigaan.",
    ],
    "drainase-tersumbat": [
        "Selokan tersumbat sampah, air meluap ke jalan.",
        "Gorong-gorong mampet, genangan tidak surut dua hari.",
    ],
    "pju": [
        "Lampu jalan mati, gelap dan rawan di malam hari.",
        "Tiga tiang PJU padam berturut-turut.",
    ],
    "sampah": [
        "Sampah di TPS belum diangkut tiga hari, bau menyengat.",
        "Tumpukan sampah di pinggir jalan menutupi trotoar.",
    ],
    "sampah-liar": ["Pembuangan sampah liar di lahan kosong, sering dibakar."],
    "pohon-tumbang": ["Pohon tumbang menutup sebagian badan jalan."],
    "banjir": ["Banjir setinggi lutut di permukiman warga."],
    "parkir-liar": ["Parkir liar di bahu jalan menyebabkan macet setiap sore."],
    "kemacetan": ["Macet parah setiap pagi di persimpangan, tidak ada petugas."],
    "lampu-lalu-lintas": ["Lampu lalu lintas mati, kendaraan saling serobot."],
    "pkl": ["Pedagang kaki lima menutup trotoar, pejalan kaki turun ke jalan."],
    "fasilitas-umum-rusak": ["Bangku dan ayunan taman rusak, berbahaya bagi anak."],
    "air-bersih": ["Air PDAM tidak mengalir sejak kemarin."],
}
GENERIC = [
    "Mohon segera ditindaklanjuti, sudah lama dibiarkan.",
    "Warga sekitar sudah mengeluhkan masalah ini berkali-kali.",
]
# Categories citizens report most (weights); the rest share what is left.
COMMON = {"jalan-rusak": 6, "sampah": 5, "sampah-liar": 3, "parkir-liar": 4, "pju": 4,
          "drainase-tersumbat": 3, "banjir": 2, "kemacetan": 2, "pohon-tumbang": 1}  # fmt: skip
NAMES = ["Siti", "Budi", "Made", "Rina", "Agus", "Dewi", "Joko", "Lina", "Hendra", "Yuni",
         "Rudi", "Wati", "Eko", "Sri", "Bayu", "Nur", "Iwan", "Ratna", "Dedi", "Ani"]  # fmt: skip
SURNAMES = ["Santoso", "Lestari", "Saputra", "Wijaya", "Hidayat", "Kusuma", "Pratama"]


@dataclass
class Built:
    report: Report
    entries: list[TimelineEntry] = field(default_factory=list)


def volume_for(slug: str) -> int:
    return VOLUME.get(slug, DEFAULT_VOLUME)


@contextmanager
def _stamps_as_given():
    """Let bulk inserts keep the historic created_at/updated_at set on the rows."""
    fields = [
        Report._meta.get_field("created_at"),
        Report._meta.get_field("updated_at"),
        TimelineEntry._meta.get_field("created_at"),
        Photo._meta.get_field("uploaded_at"),
    ]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, (now, add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = now, add


class _Places:
    """Points inside the kelurahan polygons (else inside the city's boundary with
    the kelurahan as the reporter's choice)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        areas = list(Area.objects.active().filter(level="kelurahan").select_related("parent"))
        if not areas:
            areas = list(Area.objects.active().filter(level="kecamatan"))
        self.areas = areas
        self.shapes = {a.pk: make_valid(shape(a.boundary)) for a in areas if a.boundary}
        boundary = city_profile().boundary
        self.city = make_valid(shape(boundary)) if boundary else None

    def _inside(self, geometry) -> tuple[float, float]:
        anchor = geometry.representative_point()
        minx, miny, maxx, maxy = geometry.bounds
        for _ in range(30):
            # jitter around the representative point, kept inside the polygon
            x = anchor.x + self.rng.gauss(0, (maxx - minx) / 5)
            y = anchor.y + self.rng.gauss(0, (maxy - miny) / 5)
            if geometry.contains(Point(x, y)):
                return y, x
        return anchor.y, anchor.x

    def pick(self) -> tuple[Area | None, str, float, float]:
        if not self.areas:
            lat, lon = self._inside(self.city)
            return None, "", lat, lon
        area = self.rng.choice(self.areas)
        if area.pk in self.shapes:
            lat, lon = self._inside(self.shapes[area.pk])
            return area, "polygon", lat, lon
        lat, lon = self._inside(self.city)
        return area, "reporter", lat, lon


def _photo_pool(slug: str, center: tuple[float, float], now: datetime) -> list[dict]:
    """POOL real phone photos, stored once under reports/demo-pool/."""
    storage = PrivateCityStorage()
    tz = CityProfile.load().zone
    pool = []
    for n in range(POOL):
        data = phone_photo(
            seed=4000 + n,
            width=1024,
            height=768,
            taken_at=now - timedelta(days=n),
            gps=center,
        )
        facts = inspect_photo(data, city_tz=tz, max_bytes=20 << 20, max_pixels=50_000_000)
        base = f"reports/demo-pool/{facts.sha256[:16]}"
        original = f"{base}-original.jpg"
        public = f"{base}-public.jpg"
        if not storage.exists(original):
            original = storage.save(original, ContentFile(data))
        if not storage.exists(public):
            public = storage.save(public, ContentFile(public_copy(data, facts)))
        pool.append(
            {
                "original": original,
                "public": public,
                "format": facts.format,
                "width": facts.width,
                "height": facts.height,
                "size_bytes": facts.size_bytes,
                "sha256": facts.sha256,
                "phash": facts.phash,
                "phash_bands": phash_bands(facts.phash),
                "metadata": {
                    "camera": facts.camera,
                    "taken_at_source": facts.taken_at_source,
                    "gps_accuracy_m": facts.gps_accuracy_m,
                    "exif_present": facts.exif_present,
                },
            }
        )
    return pool


def _responders(slug: str, opds) -> dict[int, object]:
    """One responder account per OPD that receives demo reports (``petugas-<opd>``,
    the city's demo password), created in bulk."""
    from reports.demo import demo_password

    users = get_user_model()
    wanted = {opd.pk: f"petugas-{opd.code}"[:150] for opd in opds}
    existing = {u.username: u for u in users.objects.filter(username__in=wanted.values())}
    password = make_password(demo_password(slug))
    missing = [
        users(username=name, password=password, is_staff=True)
        for name in set(wanted.values()) - set(existing)
    ]
    users.objects.bulk_create(missing)
    existing = {u.username: u for u in users.objects.filter(username__in=wanted.values())}
    have = set(
        StaffRole.objects.filter(role=Role.OPD_RESPONDER, opd_id__in=wanted).values_list(
            "user_id", "opd_id"
        )
    )
    StaffRole.objects.bulk_create(
        [
            StaffRole(user=existing[name], role=Role.OPD_RESPONDER, opd_id=opd_id)
            for opd_id, name in wanted.items()
            if (existing[name].pk, opd_id) not in have
        ]
    )
    return {opd_id: existing[name] for opd_id, name in wanted.items()}


# Where each report's story ends (weights); the clock may stop it earlier.
ENDINGS = [
    ("closed", 30),
    ("auto_closed", 8),
    ("resolved", 12),
    ("in_progress", 12),
    ("acknowledged", 9),
    ("assigned", 9),
    ("reopened", 5),
    ("needs_info", 4),
    ("triage", 4),
    ("rejected", 4),
    ("stalled", 3),  # never acknowledged: overdue on the command center
]


def seed_history(slug: str, center: tuple[float, float], count: int | None = None) -> int:
    """Create the month of demo reports that do not exist yet; returns how many."""
    count = volume_for(slug) if count is None else count
    keys = [f"demo-{slug}-h{n:04d}" for n in range(count)]
    existing = set(
        Report.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    if len(existing) == count:
        return 0
    rng = random.Random(f"kanal-demo/{slug}")  # noqa: S311 (demo data: repeatable, not secret)
    profile = city_profile()
    now = datetime.now(UTC).replace(microsecond=0)
    auto_close = timedelta(minutes=duration_minutes(profile.sla_settings["auto_close_after"]))
    places = _Places(rng)
    categories = list(Category.objects.active().order_by("code"))
    weights = [COMMON.get(c.code, 0.4) for c in categories]
    channels = list(profile.channels) or ["app"]
    citizens = _citizens()
    routes: dict[tuple[int, int | None], object] = {}
    plans = []
    for n in range(count):
        category = rng.choices(categories, weights)[0]
        area, source, lat, lon = places.pick()
        key = (category.pk, area.pk if area else None)
        if key not in routes:
            routes[key] = route(category, area)
        plans.append(
            {
                "key": keys[n],
                "code": "".join(rng.choice(ALPHABET) for _ in range(8)),
                "category": category,
                "area": area,
                "source": source,
                "lat": lat,
                "lon": lon,
                "decision": routes[key],
                # more reports in recent days, as a city's channel grows
                "age": timedelta(minutes=int(DAYS * 24 * 60 * (rng.random() ** 1.3))),
                "ending": rng.choices([e for e, _ in ENDINGS], [w for _, w in ENDINGS])[0],
                "citizen": rng.choice(citizens),
                "channel": rng.choice(channels),
                "text": _text(rng, category.code),
                "photo": rng.randrange(POOL),
                "rnd": [rng.random() for _ in range(8)],
            }
        )
    plans = [p for p in plans if p["key"] not in existing]
    responders = _responders(slug, {p["decision"].opd for p in plans if p["decision"].opd})
    pool = _photo_pool(slug, center, now)
    built = [_build(p, responders, now, auto_close) for p in plans]
    with transaction.atomic(), _stamps_as_given():
        Report.objects.bulk_create([b.report for b in built], batch_size=500)
        photos = []
        for plan, b in zip(plans, built, strict=True):
            shared = pool[plan["photo"]]
            photos.append(
                Photo(
                    report=b.report,
                    kind=PhotoKind.REPORT,
                    original=shared["original"],
                    public=shared["public"],
                    taken_at=b.report.created_at - timedelta(minutes=3),
                    gps_latitude=b.report.latitude,
                    gps_longitude=b.report.longitude,
                    uploaded_at=b.report.created_at,
                    **{k: v for k, v in shared.items() if k not in ("original", "public")},
                )
            )
        Photo.objects.bulk_create(photos, batch_size=500)
        TimelineEntry.objects.bulk_create([e for b in built for e in b.entries], batch_size=1000)
        transaction.on_commit(_public_changed)
    return len(built)


def _public_changed() -> None:
    from django.db import connection

    from cityconfig.signals import public_data_changed

    public_data_changed.send_robust(sender=None, schema=connection.schema_name)


def _citizens() -> list[Citizen]:
    phones = [f"+62813100{n:05d}" for n in range(60)]
    have = set(Citizen.objects.filter(phone__in=phones).values_list("phone", flat=True))
    Citizen.objects.bulk_create(
        [
            Citizen(phone=p, name=f"{NAMES[n % len(NAMES)]} {SURNAMES[n % len(SURNAMES)]}")
            for n, p in enumerate(phones)
            if p not in have
        ]
    )
    return list(Citizen.objects.filter(phone__in=phones).order_by("phone"))


def _text(rng: random.Random, code: str) -> str:
    return rng.choice(TEXTS.get(code) or GENERIC)


def _accepted_checks() -> list[dict]:
    names = ["inside_city", "photo_fresh", "photo_location", "photo_not_reused", "not_duplicate"]
    return [
        {"name": n, "result": "pass", "reason_id": "Lolos pemeriksaan (data demo).",
         "reason_en": "Passed (demo data).", "details": {}}
        for n in names
    ]  # fmt: skip


def _build(plan: dict, responders: dict, now: datetime, auto_close: timedelta) -> Built:
    """The report and its timeline as the services would have left them by now."""
    r = plan["rnd"]
    created = now - plan["age"]
    citizen = plan["citizen"]
    decision = plan["decision"]
    code = plan["code"]
    report = Report(
        tracking_code=f"{code[:4]}-{code[4:]}",
        category=plan["category"],
        description=plan["text"],
        latitude=round(plan["lat"], 6),
        longitude=round(plan["lon"], 6),
        accuracy_m=round(5 + r[0] * 20, 1),
        address="",
        area=plan["area"],
        area_source=plan["source"],
        channel=plan["channel"],
        reporter=citizen,
        anonymous=False,
        status=Status.SUBMITTED,
        checks=_accepted_checks(),
        verdict=Verdict.AUTO_VERIFIED,
        idempotency_key=plan["key"],
        created_at=created,
        updated_at=created,
    )
    built = Built(report)
    citizen_actor = ("citizen", str(citizen), None, citizen)
    system = ("system", "Sistem (verifikasi)", None, None)

    def step(at, actor, action, to_status="", note="", data=None, from_status=None):
        old = report.status
        if to_status:
            report.__dict__["status"] = to_status  # protected FSM field: no transition here
        report.updated_at = at
        kind, label, user, who = actor
        built.entries.append(
            TimelineEntry(
                report=report,
                created_at=at,
                actor_kind=kind,
                actor_label=label,
                user=user,
                citizen=who,
                action=action,
                from_status=(old if from_status is None else from_status) if to_status else "",
                to_status=to_status,
                note=note,
                data=data or {},
            )
        )

    step(created, citizen_actor, "submitted", Status.SUBMITTED, data={"channel": report.channel},
         from_status="")  # fmt: skip
    ending = plan["ending"]
    if ending in ("triage", "rejected"):
        report.verdict = Verdict.NEEDS_TRIAGE
        report.checks[2] = {
            **report.checks[2],
            "result": "warn",
            "reason_id": "Lokasi foto jauh dari titik laporan.",
            "reason_en": "The photo was taken far from the reported spot.",
        }
        step(created, system, "sent_to_triage", Status.TRIAGE)
        if ending == "rejected" and created + timedelta(hours=2) < now:
            user = get_user_model().objects.filter(username="operator").first()
            operator = ("staff", "operator", user, None)
            step(created + timedelta(hours=1 + r[1] * 5), operator, "reject", Status.REJECTED,
                 note="Foto tidak sesuai dengan lokasi laporan.")  # fmt: skip
        return built
    report.verified_at = created
    step(created, system, "verified", Status.VERIFIED)
    assigned = created + timedelta(seconds=1)
    report.opd = decision.opd
    report.forward_hint = decision.forward_to
    report.assigned_at = assigned
    sla.start_clocks(report, assigned)
    step(assigned, system, "assigned", Status.ASSIGNED,
         data={"opd": decision.opd.code, "rule": decision.reason})  # fmt: skip
    if ending == "stalled" or (ending == "assigned" and r[2] < 0.5):
        return built
    user = responders[decision.opd.pk]
    responder = ("staff", user.get_username(), user, None)
    # Response within the target most of the time, late for a fifth of them.
    target = (report.response_due_at - assigned) if report.response_due_at else timedelta(hours=24)
    ack = assigned + target * (0.05 + r[3] * (0.7 if r[4] > 0.2 else 1.8))
    if ack > now or ending == "assigned":
        return built
    step(ack, responder, "acknowledge", Status.ACKNOWLEDGED,
         note="Laporan diterima, akan ditindaklanjuti.")  # fmt: skip
    report.acknowledged_at = ack
    sla.record_response(report, ack)
    if ending == "acknowledged":
        return built
    if ending == "needs_info":
        asked = ack + timedelta(minutes=30)
        if asked < now:
            report.status_before_info = report.status
            step(asked, responder, "request_info", Status.NEEDS_INFO,
                 note="Mohon kirim patokan lokasi yang lebih jelas.")  # fmt: skip
            sla.pause(report, asked)
            report.sla_next_check_at = None
        return built
    work = ack + timedelta(hours=1 + r[5] * 20)
    if work > now:
        return built
    step(work, responder, "start_work", Status.IN_PROGRESS, note="Petugas sudah di lokasi.")
    if ending == "in_progress":
        return built
    spent = (report.resolution_due_at - assigned) if report.resolution_due_at else timedelta(days=3)
    done = assigned + spent * (0.1 + r[6] * (0.8 if r[4] > 0.25 else 1.6))
    done = max(done, work + timedelta(hours=1))
    if done > now:
        return built
    step(done, responder, "resolve", Status.RESOLVED, note="Sudah ditangani, mohon dicek.",
         data={"proof_checks": []})  # fmt: skip
    report.resolved_at = done
    sla.record_resolution(report, done)
    if ending == "resolved":
        return built
    answer = done + timedelta(hours=2 + r[7] * 30)
    if ending == "auto_closed":
        closing = done + auto_close
        if closing < now:
            step(closing, ("system", "Sistem (tutup otomatis)", None, None), "auto_close",
                 Status.CLOSED, note="Tidak ada tanggapan pelapor.")  # fmt: skip
            report.closed_at = closing
        return built
    if answer > now:
        return built
    if ending == "reopened":
        rating = 1 + int(r[2] * 2)
        report.rating, report.rating_comment = rating, "Belum beres, masih sama seperti sebelumnya."
        step(answer, citizen_actor, "rated", note=report.rating_comment, data={"rating": rating})
        step(answer + timedelta(minutes=1), citizen_actor, "reopen", Status.REOPENED,
             note="Masih rusak, mohon dicek lagi.")  # fmt: skip
        report.reopen_count = 1
        sla.on_reopen(report, answer + timedelta(minutes=1))
        return built
    step(answer, citizen_actor, "confirm", Status.CLOSED)
    report.closed_at = answer
    rating = 3 + int(r[2] * 3) if r[2] < 0.99 else 5
    report.rating, report.rating_comment = rating, "Terima kasih, sudah ditangani."
    step(answer + timedelta(minutes=2), citizen_actor, "rated", note=report.rating_comment,
         data={"rating": rating})  # fmt: skip
    return built
