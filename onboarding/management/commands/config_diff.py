"""``python manage.py config_diff tenant_configs/mataram.yaml --template kota-default``"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kanal.errors import ServiceError
from onboarding.catalogue import DEFAULT_TEMPLATES, template_diff
from onboarding.loading import ConfigInvalid, load_config

SIGNS = {"create": "+", "retire": "-", "update": "~"}
WORDS = {"create": "hanya di kota", "retire": "hanya di templat", "update": "berbeda"}


class Command(BaseCommand):
    help = "Compare a city's categories, OPDs, routing and SLA with a catalogue template."

    def add_arguments(self, parser):
        parser.add_argument("path", help="tenant_configs/<slug>.yaml")
        parser.add_argument(
            "--template", default="", help="default: the kota/kabupaten default template"
        )

    def handle(self, *args, **options):
        try:
            config = load_config(options["path"])
        except ConfigInvalid as exc:
            raise CommandError("; ".join(f"{p.path}: {p.message}" for p in exc.problems)) from exc
        code = options["template"] or DEFAULT_TEMPLATES.get(config.identity.kind, "")
        if not code:
            raise CommandError("A province has no default template: pass --template.")
        try:
            changes = template_diff(config, code)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{config.identity.name} dibanding templat '{code}':")
        if not changes:
            self.stdout.write("  sama dengan templat.")
        for change in changes:
            line = f"  {SIGNS[change.action]} {change.kind} {change.key} ({WORDS[change.action]})"
            if change.action == "update":
                line += ": " + "; ".join(
                    f"{name}: {old!r} → {new!r}" for name, (old, new) in change.fields.items()
                )
            self.stdout.write(line)
        counts = {a: sum(c.action == a for c in changes) for a in SIGNS}
        self.stdout.write(
            f"{counts['create']} hanya di kota, {counts['retire']} hanya di templat, "
            f"{counts['update']} berbeda."
        )
