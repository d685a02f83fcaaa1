"""``python manage.py onboard tenant_configs/mataram.yaml --plan|--apply [--jobs N]``

Every file is validated first; one invalid file means nothing is changed. With
several files ``--apply`` works on them in parallel (``onboarding.bulk``) and
prints one result per city; a city that fails is undone alone.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onboarding.bulk import apply_many
from onboarding.loading import ConfigInvalid, load_config
from onboarding.models import RunSource
from onboarding.runs import apply_recorded
from onboarding.services import ensure_public_tenant, plan_config


class Command(BaseCommand):
    help = "Validate a city config and show (--plan) or make (--apply) the changes."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="tenant_configs/<slug>.yaml files")
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--plan", action="store_true", help="show what would change")
        mode.add_argument("--apply", action="store_true", help="make the changes")
        parser.add_argument("--actor", default=None, help="who applies (default: OS user)")
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help="cities applied at once with several files (default: the CPUs, at most 4)",
        )

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
        jobs = options["jobs"] or min(4, os.cpu_count() or 1)
        if options["apply"] and len(configs) > 1 and jobs > 1:
            self._apply_in_parallel(configs, actor=actor, jobs=jobs)
            return
        for path, config in configs:
            try:
                if options["apply"]:
                    _run, plan = apply_recorded(
                        config,
                        actor=actor,
                        source=path,
                        kind=RunSource.CLI,
                        text=Path(path).read_text(encoding="utf-8"),
                        file_name=path,
                    )
                else:
                    plan = plan_config(config)
            except ConfigInvalid as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{path}: {problem.path}: {problem.message}")
                raise CommandError(f"{path}: nothing was changed.") from exc
            verb = "Diterapkan" if options["apply"] else "Rencana"
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"{verb}: {config.identity.name} ({path})")
            )
            self.stdout.write(plan.describe())

    def _apply_in_parallel(self, configs, *, actor: str, jobs: int) -> None:
        results = apply_many(configs, actor=actor, jobs=jobs)
        for result in results:
            if result.ok:
                what = "dibuat" if result.created else f"{result.changes} perubahan"
                line = f"OK     {result.slug}: {what} ({result.seconds:.1f} s) [{result.source}]"
                self.stdout.write(self.style.SUCCESS(line))
            else:
                line = f"GAGAL  {result.slug}: {result.error} [{result.source}]"
                self.stderr.write(self.style.ERROR(line))
        failed = [r.slug for r in results if not r.ok]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(results)} cities failed and were left unchanged "
                f"({', '.join(failed)}); the others are applied."
            )
        self.stdout.write(f"{len(results)} cities applied with {jobs} processes.")
