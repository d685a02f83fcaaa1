"""``python manage.py sla_sweep [--city SLUG]``: the SLA sweep for every city or one.

Each city runs in its own schema; one failing city is reported and the others
still run (exit status 1 if any failed).
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from sla.sweep import SweepResult, sweep_city
from tenants.models import City, CityStatus

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Mark reports at risk / breached and escalate, per each city's SLA rules."

    def add_arguments(self, parser):
        parser.add_argument("--city", help="only this city's slug")

    def handle(self, *args, city: str | None = None, **options):
        cities = City.objects.exclude(schema_name="public").exclude(status=CityStatus.ARCHIVED)
        if city:
            cities = cities.filter(slug=city)
            if not cities.exists():
                raise CommandError(f"No city with slug '{city}'.")
        total, failed, start = SweepResult(), [], time.perf_counter()
        for item in cities.order_by("slug"):
            try:
                with tenant_context(item):
                    result = sweep_city()
            except Exception:
                logger.exception("SLA sweep failed for %s", item.slug)
                failed.append(item.slug)
                continue
            total.add(result)
            if result.reports:
                self.stdout.write(
                    f"{item.slug}: {result.at_risk} at risk, {result.breached} breached, "
                    f"{result.escalated} escalations"
                )
        self.stdout.write(
            f"SLA sweep: {cities.count()} cities in {time.perf_counter() - start:.2f} s; "
            f"{total.at_risk} at risk, {total.breached} breached, {total.escalated} escalations"
        )
        if total.failed:
            self.stderr.write(f"{total.failed} report(s) could not be swept (see the log).")
        if failed:
            raise CommandError(f"SLA sweep failed for: {', '.join(failed)}")
