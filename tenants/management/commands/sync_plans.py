"""``python manage.py sync_plans``: keep the plan catalogue and Stripe's plans in step."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kanal.errors import ServiceError
from tenants.billing import sync_plans


class Command(BaseCommand):
    help = "Create missing plans in Stripe and mirror Stripe's plans here."

    def handle(self, *args, **options):
        try:
            result = sync_plans()
        except ServiceError as exc:
            raise CommandError(exc.message_in("en")) from exc
        self.stdout.write(
            f"created in Stripe: {result.created_in_stripe or '-'}; "
            f"imported: {result.imported or '-'}; updated: {result.updated or '-'}"
        )
