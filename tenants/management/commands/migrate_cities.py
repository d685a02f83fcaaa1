"""``python manage.py migrate_cities [--processes N] [--resume]``: migrate every
city's schema in parallel, reporting each city that fails without stopping the
others.

1. The public schema first (``migrate_schemas --shared``), unless
   ``--skip-public``; if it fails nothing else runs.
2. Every city (any status, archived included: a city can come back) in a pool
   of ``--processes`` forked workers, each running django-tenants'
   ``migrate_schemas --schema <city>`` with its output captured per city.
3. Progress goes to a JSON state file (``--state``, default
   ``.kanal/migrate_cities.json``) after each city: status, the tenant apps'
   leaf migrations it reached, time, error. ``--resume`` skips the cities
   already migrated to the current leaves and retries the rest.

Exit status 1 when any city failed, naming them. Runbook: docs/migrations.md.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_public_schema_name

from tenants.models import City


def tenant_leaves() -> list[list[str]]:
    """The latest migration of each tenant app: what a migrated city has reached."""
    labels = {
        config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS
    }
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return sorted([app, name] for app, name in graph.leaf_nodes() if app in labels)


def migrate_one(job: tuple[str, str, int]) -> dict:
    """In a pool worker: migrate one city's schema; never raises."""
    slug, schema, verbosity = job
    output = io.StringIO()
    start = time.perf_counter()
    try:
        with redirect_stdout(output), redirect_stderr(output):
            call_command(
                "migrate_schemas",
                schema_name=schema,
                executor="standard",
                interactive=False,
                verbosity=verbosity,
                stdout=output,
                stderr=output,
            )
        error = None
    except Exception as exc:  # a failing city is reported, never fatal
        error = f"{type(exc).__name__}: {exc}".strip()
        output.write(traceback.format_exc())
    finally:
        connections.close_all()
    return {
        "slug": slug,
        "schema": schema,
        "ok": error is None,
        "error": error,
        "seconds": round(time.perf_counter() - start, 2),
        "output": output.getvalue(),
    }


class State:
    """The JSON state file, rewritten atomically after every city."""

    def __init__(self, path: Path, target: list[list[str]]):
        self.path = path
        self.target = target
        self.cities: dict[str, dict] = {}
        if path.exists():
            self.cities = json.loads(path.read_text()).get("cities", {})

    def done(self, slug: str) -> bool:
        entry = self.cities.get(slug)
        return bool(entry) and entry["status"] == "ok" and entry["target"] == self.target

    def record(self, result: dict) -> None:
        previous = self.cities.get(result["slug"], {})
        self.cities[result["slug"]] = {
            "status": "ok" if result["ok"] else "failed",
            "target": self.target,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": result["seconds"],
            "attempts": previous.get("attempts", 0) + 1,
            "error": result["error"],
        }
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"target": self.target, "cities": self.cities}, indent=2))
        os.replace(tmp, self.path)


class Command(BaseCommand):
    help = "Migrate every city's schema in parallel; failures are reported, not fatal."

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes", type=int, default=min(4, os.cpu_count() or 1), help="workers"
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="skip the cities the state file records as migrated to the current leaves",
        )
        parser.add_argument(
            "--state",
            default=str(settings.BASE_DIR / ".kanal" / "migrate_cities.json"),
            help="JSON state file (default .kanal/migrate_cities.json)",
        )
        parser.add_argument("--city", action="append", default=[], help="only this slug")
        parser.add_argument("--skip-public", action="store_true", help="leave public alone")

    def handle(self, *args, processes: int, resume: bool, state: str, **options):
        verbosity = int(options["verbosity"])
        if not options["skip_public"]:
            self.stdout.write("public: migrating the shared apps")
            call_command(
                "migrate_schemas",
                shared=True,
                executor="standard",
                interactive=False,
                verbosity=max(0, verbosity - 1),
                stdout=self.stdout,
                stderr=self.stderr,
            )
        connection.set_schema_to_public()
        cities = City.objects.exclude(schema_name=get_public_schema_name()).order_by("slug")
        if options["city"]:
            cities = cities.filter(slug__in=options["city"])
            missing = set(options["city"]) - set(cities.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No city with slug: {', '.join(sorted(missing))}.")
        progress = State(Path(state), tenant_leaves())
        todo, skipped = [], 0
        for slug, schema in cities.values_list("slug", "schema_name"):
            if resume and progress.done(slug):
                skipped += 1
            else:
                todo.append((slug, schema, max(0, verbosity - 1)))
        self.stdout.write(
            f"{len(todo)} cities to migrate with {processes} processes"
            + (f"; {skipped} already at the latest migrations (--resume)" if skipped else "")
        )
        failed: list[dict] = []
        start = time.perf_counter()
        for index, result in enumerate(self._run(todo, processes), start=1):
            progress.record(result)
            if result["ok"]:
                self.stdout.write(
                    f"[{index}/{len(todo)}] {result['slug']}: ok ({result['seconds']} s)"
                )
            else:
                failed.append(result)
                self.stdout.write(
                    self.style.ERROR(
                        f"[{index}/{len(todo)}] {result['slug']}: FAILED: {result['error']}"
                    )
                )
            if verbosity >= 2 or (not result["ok"] and verbosity >= 1):
                self.stdout.write(result["output"])
        self.stdout.write(
            f"{len(todo) - len(failed)} migrated, {len(failed)} failed, {skipped} skipped "
            f"in {time.perf_counter() - start:.1f} s; state: {progress.path}"
        )
        if failed:
            names = ", ".join(sorted(r["slug"] for r in failed))
            raise CommandError(
                f"Migrations failed for: {names}. Fix them and run again with --resume."
            )

    def _run(self, todo: list, processes: int):
        if not todo:
            return
        # Forked workers inherit settings and the app registry; they must not
        # inherit an open database connection.
        connections.close_all()
        if processes <= 1:
            for job in todo:
                yield migrate_one(job)
            return
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=min(processes, len(todo))) as pool:
            yield from pool.imap_unordered(migrate_one, todo)
