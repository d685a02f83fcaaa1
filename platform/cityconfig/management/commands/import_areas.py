"""``python manage.py import_areas <city-slug> FILE.geojson [--dry-run]``: give a
city's areas their polygons from a GeoJSON FeatureCollection (docs/areas.md)."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from cityconfig.areas import AreaImportRefused, import_boundaries
from tenants.models import City


class Command(BaseCommand):
    help = (
        "Import kecamatan/kelurahan polygons from GeoJSON, matched by Kemendagri code or name; "
        "all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the city, e.g. mataram")
        parser.add_argument("path", help="a GeoJSON FeatureCollection")
        parser.add_argument("--dry-run", action="store_true", help="show what would change")
        parser.add_argument(
            "--skip-unmatched",
            action="store_true",
            help="list features that match no area instead of refusing the file",
        )
        parser.add_argument("--actor", default=None, help="who imports (default: OS user)")

    def handle(self, *args, slug: str, path: str, **options):
        city = City.objects.exclude(schema_name="public").filter(slug=slug).first()
        if city is None:
            raise CommandError(f"Kota '{slug}' tidak ada (unknown city).")
        try:
            text = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: berkas tidak bisa dibaca ({exc}).") from exc
        actor = options["actor"] or f"{getpass.getuser()} (manage.py import_areas)"
        try:
            with schema_context(city.schema_name):
                result = import_boundaries(
                    text,
                    slug=slug,
                    dry_run=options["dry_run"],
                    skip_unmatched=options["skip_unmatched"],
                    actor=actor,
                    source=path,
                )
        except AreaImportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path}: {problem.code}: {problem.message}")
            raise CommandError(f"{path}: {exc.message}") from exc
        verb = "Rencana (--dry-run, tidak ada yang ditulis)" if options["dry_run"] else "Diimpor"
        self.stdout.write(self.style.MIGRATE_HEADING(f"{verb}: {city.name} ({path})"))
        self.stdout.write(result.describe())
