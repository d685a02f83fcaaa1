"""Test factories: actors, real phone photos and reports inside a city."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection

from cityconfig.models import Opd
from people.actors import Actor
from people.models import Citizen, StaffRole
from reports.intake import ReportInput, Upload, submit_report
from verification.samples import phone_photo

# City halls (lat, lon): inside each city's boundary.
CENTERS = {
    "pangkalpinang": (-2.1265, 106.1140),
    "mataram": (-8.5837, 116.1163),
    "serang": (-6.1180, 106.1570),
    "jakarta": (-6.1815, 106.8283),
    "kotacontoh": (-8.5800, 116.1000),
}
_seeds = itertools.count(1000)


class CityWorld:
    """Makes citizens, staff and photos inside one city (its schema active)."""

    def __init__(self, city):
        self.city = city
        self.center = CENTERS.get(city.slug, CENTERS["kotacontoh"])
        connection.set_tenant(city)

    def citizen(self, phone: str = "+6281234567001") -> Actor:
        citizen, _ = Citizen.objects.get_or_create(phone=phone)
        return Actor.for_citizen(citizen)

    def staff(self, role: str, opd_code: str | None = None, username: str | None = None) -> Actor:
        username = username or f"{role}-{opd_code or 'kota'}"
        user, _ = get_user_model().objects.get_or_create(username=username)
        opd = Opd.objects.get(code=opd_code) if opd_code else None
        StaffRole.objects.get_or_create(user=user, role=role, opd=opd)
        return Actor.for_staff(user)

    def photo(
        self,
        *,
        minutes_ago: int = 10,
        near: tuple[float, float] | None = None,
        seed: int | None = None,
        gps: bool = True,
    ) -> Upload:
        lat, lon = near or self.center
        data = phone_photo(
            seed=seed if seed is not None else next(_seeds),
            width=800,
            height=600,
            taken_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
            gps=(lat + 0.0001, lon + 0.0001) if gps else None,
        )
        return Upload(data, "foto.jpg")

    def submit(self, actor: Actor | None = None, photos=None, **fields):
        lat, lon = fields.pop("near", self.center)
        data = ReportInput(
            **{
                "category_code": "jalan-rusak",
                "description": "Jalan berlubang cukup dalam, berbahaya bagi pengendara motor.",
                "latitude": lat,
                "longitude": lon,
                **fields,
            }
        )
        if photos is None:
            photos = [self.photo(near=(lat, lon))]
        return submit_report(actor or self.citizen(), data, photos)


def test_database_url() -> str:
    """A URL for the test database that another process (a worker, a server) can use:
    TCP for a server like 127.0.0.1:5432, a socket directory for the embedded one."""
    from django.db import connection

    db = connection.settings_dict
    user, password = db.get("USER") or "postgres", db.get("PASSWORD") or ""
    # dj-database-url puts a socket directory (…?host=/path) into OPTIONS.
    host = db.get("HOST") or (db.get("OPTIONS") or {}).get("host") or "127.0.0.1"
    port, name = db.get("PORT") or 5432, db["NAME"]
    if str(host).startswith("/"):
        return f"postgresql://{user}@/{name}?host={host}"
    auth = f"{user}:{password}" if password else user
    return f"postgresql://{auth}@{host}:{port}/{name}"
