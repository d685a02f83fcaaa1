"""``python manage.py export_config mataram [-o file]``: the live config as YAML."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from cityconfig.export import config_to_yaml, current_config
from tenants.models import City


class Command(BaseCommand):
    help = "Write a city's live configuration as YAML that re-applies with no changes."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, slug: str, output: str | None = None, **options):
        city = City.objects.filter(slug=slug).exclude(schema_name="public").first()
        if city is None:
            raise CommandError(f"No city with slug '{slug}'.")
        with schema_context(city.schema_name):
            text = config_to_yaml(current_config(slug))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
