"""``python manage.py seed_demo``: demo accounts (and, as the core grows, demo data)
for every onboarded city. Safe to run again: it only creates what is missing."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from people.models import Role
from people.staff import RoleGrant, set_roles
from reports.demo import seed_city
from reports.models import Report
from tenants.models import City

# City halls (lat, lon) of the seed cities; other cities use their boundary's centre.
CENTERS = {
    "pangkalpinang": (-2.1265, 106.1140),
    "mataram": (-8.5837, 116.1163),
    "serang": (-6.1180, 106.1570),
    "jakarta": (-6.1815, 106.8283),
}

VENDOR_USER = ("vendor", "kanal-vendor-demo")


def demo_password(slug: str) -> str:
    return f"demo-{slug}-2026"


def ensure_user(username: str, password: str, *, superuser: bool, email: str) -> bool:
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        return False
    if superuser:
        user_model.objects.create_superuser(username, email, password)
    else:
        user_model.objects.create_user(username, email, password, is_staff=True)
    return True


def _centre() -> tuple[float, float]:
    from shapely.geometry import shape

    from cityconfig.selectors import city_profile

    point = shape(city_profile().boundary).representative_point()
    return (point.y, point.x)


class Command(BaseCommand):
    help = "Create demo staff accounts in the public schema and in every city."

    def handle(self, *args, **options):
        rows = [("vendor (public)", "localhost", *VENDOR_USER)]
        ensure_user(*VENDOR_USER, superuser=True, email="vendor@kanal.test")
        for city in City.objects.exclude(schema_name="public").order_by("slug"):
            host = city.get_primary_domain().domain if city.domains.exists() else "-"
            with schema_context(city.schema_name):
                username, password = "admin", demo_password(city.slug)
                if ensure_user(
                    username, password, superuser=False, email=f"diskominfo@{city.slug}.kanal.test"
                ):
                    # A Diskominfo admin as the console makes one: the role, no superuser
                    # flag, so the demo shows what a city's admin really sees.
                    set_roles(
                        get_user_model().objects.get(username=username),
                        [RoleGrant(Role.DISKOMINFO_ADMIN)],
                    )
                started = time.monotonic()
                codes = seed_city(city.slug, CENTERS.get(city.slug) or _centre())
                took = time.monotonic() - started
                total = Report.objects.count()
            rows.append((f"Diskominfo {city.name}", host, username, password))
            self.stdout.write(
                f"  {city.name}: {total} laporan demo ({', '.join(codes[:3])}, …)"
                f" dalam {took:.1f} s"
            )
        self.stdout.write(
            "\nDemo accounts (username / password). In each city, staff 'operator', 'surveyor',"
            " 'command' and 'petugas-<opd>' use the city's password."
        )
        for who, host, username, password in rows:
            self.stdout.write(f"  {who:32} {host:28} {username} / {password}")
