"""``python manage.py config_schema``: write the JSON Schema of city configs for editors."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from cityconfig.schema import CityConfig

SCHEMA_PATH = settings.TENANT_CONFIG_DIR / "city-config.schema.json"


def render_schema() -> str:
    schema = CityConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Kanal city configuration"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Export the JSON Schema of tenant_configs/*.yaml (editors use it for completion)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the file is outdated")

    def handle(self, *args, check: bool = False, **options):
        text = render_schema()
        if check:
            if not SCHEMA_PATH.exists() or SCHEMA_PATH.read_text(encoding="utf-8") != text:
                raise SystemExit(f"{SCHEMA_PATH} is out of date: run manage.py config_schema")
            return
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {SCHEMA_PATH}")
