"""Error reporting with Sentry: every event tagged with the city and the GraphQL
operation, and scrubbed of what must never leave the city: phone numbers,
one-time codes, tokens, photo GPS and citizens' names (``before_send``)."""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from strawberry.extensions import SchemaExtension

FILTERED = "[Filtered]"
SENSITIVE_KEYS = {
    "authorization",
    "cookie",
    "set-cookie",
    "x-csrftoken",
    "sessionid",
    "csrftoken",
    "password",
    "secret",
    "token",
    "api_key",
    "apikey",
    "code",
    "otp",
    "phone",
    "reporter_phone",
    "phone_number",
    "email",
    "name",
    "first_name",
    "last_name",
    "contact_name",
    "latitude",
    "longitude",
    "lat",
    "long",
    "lon",
    "gps",
    "gps_latitude",
    "gps_longitude",
    "accuracymeters",
    "accuracy_m",
    "address",
}
PATTERNS = [
    # Indonesian mobile numbers, however they are written: 0812-3456-7890, +62 812 3456 7890
    re.compile(r"(?<!\d)(?:\+?62|0)[\s-]?8(?:[\s-]?\d){7,12}(?!\d)"),
    re.compile(r"\b(?:knl|o311)_[a-z0-9-]+_[A-Za-z0-9_\-]{8,}"),  # Kanal and Open311 tokens
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._\-]+"),
    re.compile(r"-?\d{1,2}\.\d{4,},\s*-?\d{1,3}\.\d{4,}"),  # "lat, lon" pairs
]


def _scrub_text(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(FILTERED, text)
    return text


def scrub(value: Any, key: str = "") -> Any:
    if key.lower().replace("-", "_") in SENSITIVE_KEYS or key.lower() in SENSITIVE_KEYS:
        return FILTERED
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        # Sentry sends headers as [name, value] pairs.
        if len(value) == 2 and isinstance(value[0], str) and value[0].lower() in SENSITIVE_KEYS:
            return [value[0], FILTERED]
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return _scrub_text(value)
    return value


def before_send(event: dict, hint: dict) -> dict:
    """Scrub the whole event: request, exception values, frame variables, breadcrumbs."""
    return scrub(event)


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float, transport=None) -> None:
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.strawberry import StrawberryIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        before_send_transaction=before_send,
        integrations=[DjangoIntegration(), StrawberryIntegration(async_execution=False)],
        transport=transport,
    )


def tag_city(slug: str) -> None:
    sentry_sdk.set_tag("city", slug)


class SentryOperationTag(SchemaExtension):
    """Tag events with the GraphQL operation the app ran (``SubmitReport``…)."""

    def on_execute(self):
        name = self.execution_context.operation_name or "anonymous"
        sentry_sdk.set_tag("graphql.operation", name)
        yield
