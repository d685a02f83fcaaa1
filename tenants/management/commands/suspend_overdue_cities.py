"""``python manage.py suspend_overdue_cities``: the daily billing job.

Suspends (for billing, data kept) every active city whose subscription is not
in good standing and whose grace period has ended. Safe to run more often.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tenants.billing import suspend_overdue_cities


class Command(BaseCommand):
    help = "Suspend cities whose billing grace period has ended (run daily)."

    def handle(self, *args, **options):
        suspended = suspend_overdue_cities()
        if suspended:
            self.stdout.write(f"Suspended for billing: {', '.join(suspended)}")
        else:
            self.stdout.write("No city to suspend for billing.")
