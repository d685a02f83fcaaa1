"""``python manage.py scaffold_city 52.01 [--slug S] [--template T] [--center LAT,LON]``"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from kanal.errors import ServiceError
from onboarding.catalogue import list_templates
from onboarding.scaffold import parse_center, scaffold_city


class Command(BaseCommand):
    help = (
        "Write tenant_configs/<slug>.yaml for a kabupaten/kota from its Kemendagri code: "
        "kecamatan and kelurahan/desa, time zone, a catalogue template, national SLA and holidays."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "code", nargs="?", default="", help="Kemendagri code of a kabupaten/kota, e.g. 32.71"
        )
        parser.add_argument("--slug", default="", help="default: kota-<name> / kab-<name>")
        parser.add_argument(
            "--template",
            default="",
            help="catalogue template (default: kota-default / kabupaten-default); "
            "--list-templates shows them",
        )
        parser.add_argument(
            "--center",
            default="",
            help="'lat, lon' of the kantor bupati/wali kota: the placeholder boundary is a "
            "square around it (required unless --without-center)",
        )
        parser.add_argument(
            "--without-center",
            action="store_true",
            help="placeholder boundary = all of Indonesia (reports from anywhere are accepted)",
        )
        parser.add_argument("--output", default="", help="file to write (default tenant_configs/)")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file")
        parser.add_argument("--print", action="store_true", help="print instead of writing")
        parser.add_argument("--list-templates", action="store_true")

    def handle(self, *args, **options):
        if options["list_templates"]:
            for code, label in list_templates():
                self.stdout.write(f"{code:24} {label}")
            return
        if not options["code"]:
            raise CommandError("Give the Kemendagri code of a kabupaten/kota, e.g. 32.71.")
        if not options["center"] and not options["without_center"]:
            raise CommandError(
                "Give --center 'lat, lon' (the kantor bupati/wali kota, e.g. from a map): "
                "the placeholder boundary is a square around it. --without-center makes it "
                "all of Indonesia, so the city would accept reports from anywhere."
            )
        try:
            center = parse_center(options["center"]) if options["center"] else None
            result = scaffold_city(
                options["code"],
                slug=options["slug"] or None,
                template=options["template"] or None,
                center=center,
            )
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        except OperationalError as exc:  # the slug check needs the database
            raise CommandError(
                f"Cannot reach the database (DATABASE_URL) to check the slug: {exc}".strip()
            ) from exc
        if options["print"]:
            self.stdout.write(result.text)
            return
        path = (
            settings.TENANT_CONFIG_DIR / f"{result.slug}.yaml"
            if not options["output"]
            else Path(options["output"])
        )
        if path.exists() and not options["force"]:
            raise CommandError(f"{path} already exists; --force overwrites it.")
        path.write_text(result.text, encoding="utf-8")
        counts = ", ".join(f"{n} {level}" for level, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: {result.region_name} ({result.config.identity.time_zone}), {counts}."
            )
        )
        if center is None:
            self.stderr.write(
                "WARNING: the boundary is all of Indonesia until you replace it "
                "(see the TODO above `boundary:`)."
            )
        self.stdout.write(
            f"Next: fill the # TODOs, then python manage.py onboard {path} --plan / --apply"
        )
