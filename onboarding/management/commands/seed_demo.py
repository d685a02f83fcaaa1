"""``python manage.py seed_demo``: demo accounts (and, as the core grows, demo data)
for every onboarded city. Safe to run again: it only creates what is missing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from tenants.models import City

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


class Command(BaseCommand):
    help = "Create demo staff accounts in the public schema and in every city."

    def handle(self, *args, **options):
        rows = [("vendor (public)", "localhost", *VENDOR_USER)]
        ensure_user(*VENDOR_USER, superuser=True, email="vendor@kanal.test")
        for city in City.objects.exclude(schema_name="public").order_by("slug"):
            host = city.get_primary_domain().domain if city.domains.exists() else "-"
            with schema_context(city.schema_name):
                username, password = "admin", demo_password(city.slug)
                ensure_user(
                    username, password, superuser=True, email=f"diskominfo@{city.slug}.kanal.test"
                )
            rows.append((f"Diskominfo {city.name}", host, username, password))
        self.stdout.write("\nDemo accounts (username / password):")
        for who, host, username, password in rows:
            self.stdout.write(f"  {who:32} {host:28} {username} / {password}")
