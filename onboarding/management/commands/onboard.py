"""``python manage.py onboard tenant_configs/mataram.yaml --plan|--apply``"""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from onboarding.loading import ConfigInvalid, load_config
from onboarding.services import apply_config, ensure_public_tenant, plan_config


class Command(BaseCommand):
    help = "Validate a city config and show (--plan) or make (--apply) the changes."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="tenant_configs/<slug>.yaml files")
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--plan", action="store_true", help="show what would change")
        mode.add_argument("--apply", action="store_true", help="make the changes")
        parser.add_argument("--actor", default=None, help="who applies (default: OS user)")

    def handle(self, *args, **options):
        actor = options["actor"] or f"{getpass.getuser()} (manage.py onboard)"
        configs = []
        failed = []
        for path in options["paths"]:
            try:
                configs.append((path, load_config(path)))
            except ConfigInvalid as exc:
                failed.append(exc)
        if failed:
            for exc in failed:
                for problem in exc.problems:
                    self.stderr.write(str(problem))
            raise CommandError(
                f"{sum(len(e.problems) for e in failed)} problem(s) found; nothing was changed."
            )
        ensure_public_tenant()
        for path, config in configs:
            try:
                plan = (
                    apply_config(config, actor=actor, source=path)
                    if options["apply"]
                    else plan_config(config)
                )
            except ConfigInvalid as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{path}: {problem.path}: {problem.message}")
                raise CommandError(f"{path}: nothing was changed.") from exc
            verb = "Diterapkan" if options["apply"] else "Rencana"
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"{verb}: {config.identity.name} ({path})")
            )
            self.stdout.write(plan.describe())
