"""``python manage.py export_graphql_schema``: write graphql/schema.graphql (the
public contract; a test fails when it is out of date)."""

from django.conf import settings
from django.core.management.base import BaseCommand

PATH = settings.BASE_DIR / "graphql" / "schema.graphql"


class Command(BaseCommand):
    help = "Export the GraphQL schema (SDL) to graphql/schema.graphql."

    def handle(self, *args, **options):
        from api.schema import schema

        PATH.write_text(str(schema) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {PATH}")
