"""Schemathesis against the committed GraphQL contract, on one city.

Every query and mutation of ``graphql/schema.graphql`` is called with cases
schemathesis generates from the contract, both valid (positive) and invalid
(negative: wrong types, missing arguments, NUL characters...), anonymously and
with a citizen's, an operator's and the command center's bearer token, through
the real WSGI application (``kanal.wsgi.application``) on Mataram's host.

Whatever is sent, the answer is JSON below 500, every error carries a typed
``extensions.code``, and no message is a crash (masked or not) or shows
Python or database internals. Bounded: a few examples per operation, no
example database; about 10 s.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes

from tests.test_properties import INTERNALS, MASKED

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "graphql" / "schema.graphql"
BASE_URL = "http://mataram.localhost/graphql/"
EXAMPLES_PER_OPERATION = 5 * int(os.environ.get("HYPOTHESIS_FACTOR", "1"))
TIME_BUDGET_SECONDS = 60 * int(os.environ.get("HYPOTHESIS_FACTOR", "1"))

# Files only travel in multipart requests: inside a JSON body an Upload can
# only be wrong, so these are what a confused client would put there.
schemathesis.graphql.scalar(
    "Upload", st.sampled_from([nodes.Null, nodes.String("0"), nodes.Int(0), nodes.List([])])
)


@pytest.fixture(scope="module")
def contract():
    return schemathesis.graphql.from_path(CONTRACT)


@pytest.fixture
def wsgi_app():
    """``kanal.wsgi.application`` with the database connection kept open between
    requests, as Django's test client does: the test's transaction must survive."""
    from kanal.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def mataram_people(world, settings):
    """A report to act on, and bearer tokens for a citizen and two staff roles."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from people.models import StaffRole
    from people.tokens import issue_token

    settings.KANAL_OTP_SENDER = "people.otp.MemorySender"
    settings.KANAL_PUBLIC_QUERY_CACHE_SECONDS = 30  # as in production
    city = world("mataram")
    citizen = city.citizen("+6281234567009")
    report = city.submit(citizen)
    tokens = {"anonymous": None, "citizen": issue_token("mataram", citizen=citizen.citizen).token}
    for role in ("operator", "command_center"):
        user = get_user_model().objects.create(username=f"fuzz-{role}", is_staff=True)
        StaffRole.objects.create(user=user, role=role)
        tokens[role] = issue_token("mataram", user=user).token
    connection.set_schema_to_public()
    return report.report.tracking_code, tokens


# Real codes, put into some cases so that resolvers get past "not found".
KNOWN = {
    "trackingCode": None,  # the fixture's report
    "duplicateCode": None,
    "intoCode": None,
    "opdCode": "dinas-pupr",
    "categoryCode": "jalan-rusak",
}


def with_known_codes(body: str, tracking_code: str) -> str:
    for name, value in KNOWN.items():
        value = value or tracking_code
        body = re.sub(rf'({name}: )"(?:[^"\\]|\\.)*"', rf'\1"{value}"', body)
    return body


def assert_typed_answer(response, label: str) -> dict:
    assert response.status_code < 500, (label, response.status_code, response.content[:800])
    content_type = response.headers.get("content-type", [""])[0]  # schemathesis: name → values
    assert content_type.startswith("application/json"), (label, content_type)
    payload = json.loads(response.content)
    assert isinstance(payload, dict), (label, payload)
    for error in payload.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str) and code, (label, error)
        assert code != "INTERNAL_ERROR", (label, error)
        message = error.get("message") or ""
        assert message and message != MASKED, (label, error)
        leaked = [word for word in INTERNALS if word in message]
        assert not leaked, (label, leaked, error)
    return payload


def fuzz(operation, *, app, tracking_code: str, tokens: dict, seen: dict[str, Counter]) -> None:
    """Call one operation with positive and negative cases, as every kind of caller."""
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("HYPOTHESIS_EXPLORE"),
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=cases,
        who=st.sampled_from(sorted(tokens)),
        known=st.booleans(),
        language=st.sampled_from(["id", "en"]),
    )
    def call(case, who, known, language) -> None:
        if known and isinstance(case.body, str):
            case.body = with_known_codes(case.body, tracking_code)
        headers = {"Accept-Language": language}
        if tokens[who]:
            headers["Authorization"] = f"Bearer {tokens[who]}"
        response = case.call(app=app, base_url=BASE_URL, headers=headers)
        payload = assert_typed_answer(response, f"{operation.label} as {who}: {case.body!r}")
        seen["status"][response.status_code] += 1
        seen["code"].update(e["extensions"]["code"] for e in payload.get("errors") or [])
        seen["operation"][operation.label] += 1

    call()


@pytest.mark.django_db
def test_every_operation_of_the_contract_answers_typed_json(
    contract, wsgi_app, mataram_people
) -> None:
    tracking_code, tokens = mataram_people
    operations = [result.ok() for result in contract.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert len(operations) >= 30 and {"Query.reports", "Mutation.submitReport"} <= labels
    seen: dict[str, Counter] = {"status": Counter(), "code": Counter(), "operation": Counter()}
    started = time.monotonic()
    for operation in operations:
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            break
        fuzz(operation, app=wsgi_app, tracking_code=tracking_code, tokens=tokens, seen=seen)

    assert set(seen["operation"]) == labels, (
        f"not reached in time: {sorted(labels - set(seen['operation']))}"
    )
    # the cases reached resolvers, not only the validator
    assert seen["status"][200] > len(operations), seen
    assert seen["code"]["GRAPHQL_VALIDATION_FAILED"] and len(seen["code"]) > 3, seen
