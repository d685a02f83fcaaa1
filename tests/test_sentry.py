"""Sentry: unexpected failures are reported tagged with the city and the GraphQL
operation, with phone numbers, codes, tokens, GPS and names scrubbed; the app
answers without a stack trace. Captured by a transport in-process (no network)."""

from __future__ import annotations

import json

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from kanal.observability import FILTERED, init_sentry, scrub
from tests.api.conftest import Api


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope) -> None:
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def captured():
    transport = CapturingTransport()
    init_sentry(
        "https://public@sentry.invalid/1",
        environment="test",
        traces_sample_rate=0.0,
        transport=transport,
    )
    yield transport
    sentry_sdk.init()  # disabled again


def test_redis_outage_is_reported_with_tags_and_without_personal_data(world, captured, settings):
    world("mataram")
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    response = (
        Api("mataram")
        .raw(
            "mutation RequestOtp($phone: String!) "
            "{ requestOtp(phone: $phone) { sent errors { code } } }",
            {"phone": "081234567890"},
            token="knl_mataram_SecretTokenValue123456",
        )
        .json()
    )
    # The rate limit's counters are gone with Redis: the citizen still gets a code
    # (an emergency channel stays open), and the operators hear about it.
    assert response["data"]["requestOtp"] == {"sent": True, "errors": []}
    assert "Traceback" not in json.dumps(response)
    sentry_sdk.flush()
    assert captured.events, "the outage reached Sentry"
    event = captured.events[-1]
    assert event["tags"]["city"] == "mataram"
    assert event["tags"]["graphql.operation"] == "RequestOtp"
    text = json.dumps(event)
    assert "81234567890" not in text and "081234567890" not in text
    assert "SecretTokenValue" not in text


def test_scrubbing_removes_gps_names_codes_and_tokens():
    event = {
        "request": {
            "headers": [["Authorization", "Bearer knl_x_abc"], ["Host", "mataram.kanal.id"]],
            "data": {"variables": {"phone": "+6281234567890", "code": "123456"}},
        },
        "extra": {
            "gps_latitude": -8.58,
            "contact_name": "Siti Aminah",
            "note": "hubungi 0812 3456 7890",
        },
        "exception": {"values": [{"value": "lokasi -8.583712, 116.116301 ditolak"}]},
    }
    clean = scrub(event)
    assert clean["request"]["headers"][0] == ["Authorization", FILTERED]
    assert clean["request"]["headers"][1] == ["Host", "mataram.kanal.id"]
    assert clean["request"]["data"]["variables"] == {"phone": FILTERED, "code": FILTERED}
    assert clean["extra"]["gps_latitude"] == FILTERED and clean["extra"]["contact_name"] == FILTERED
    assert "3456" not in clean["extra"]["note"]
    assert "116.116301" not in clean["exception"]["values"][0]["value"]
