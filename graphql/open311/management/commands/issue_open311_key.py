"""``python manage.py issue_open311_key --city SLUG --name NAME``: a new Open311
API key for one city, printed once (only its SHA-256 is kept)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from kanal.errors import ServiceError
from open311.keys import issue_key
from tenants.models import City


class Command(BaseCommand):
    help = "Issue an Open311 API key for a city and print it once."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="the city's slug")
        parser.add_argument("--name", required=True, help="who the key is for (the client app)")

    def handle(self, *args, city: str, name: str, **options):
        target = City.objects.exclude(schema_name="public").filter(slug=city).first()
        if target is None:
            raise CommandError(f"No city with slug '{city}'.")
        with tenant_context(target):
            try:
                issued = issue_key(name, created_by="manage.py issue_open311_key")
            except ServiceError as exc:
                raise CommandError(exc.message_in("en")) from exc
        self.stderr.write(
            f"Open311 key '{issued.api_key.name}' for {target.name} ({issued.api_key.prefix}…); "
            "it is shown only now:"
        )
        self.stdout.write(issued.key)
