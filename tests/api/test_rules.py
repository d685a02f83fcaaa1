"""API rules: the role × mutation matrix, OWASP limits, constant query counts
and the committed schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from people.tokens import issue_token
from tests.api.conftest import document

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tokens(world):
    """A report assigned to DLH in the test city, and a token per role."""
    city = world("kotacontoh")
    reporter = city.citizen("+6281200001111")
    report = city.submit(reporter, category_code="sampah").report
    assert report.opd.code == "dlh"
    issued = {
        "reporter": issue_token("kotacontoh", citizen=reporter.citizen).token,
        "other_citizen": issue_token(
            "kotacontoh", citizen=city.citizen("+6281200002222").citizen
        ).token,
    }
    for name, role, opd in [
        ("operator", "operator", None),
        ("surveyor", "survey_officer", None),
        ("dlh", "opd_responder", "dlh"),
        ("pupr", "opd_responder", "dinas-pupr"),
        ("command", "command_center", None),
        ("admin", "diskominfo_admin", None),
    ]:
        issued[name] = issue_token(
            "kotacontoh", user=city.staff(role, opd, username=f"api-{name}").user
        ).token
    connection.set_schema_to_public()
    return report.tracking_code, issued


# mutation, variables (code filled in), roles allowed (others must get an error)
MATRIX = [
    ("AcknowledgeReport", {}, {"dlh"}),
    ("TriageReport", {"decision": "ACCEPT"}, set()),  # assigned, not in triage: nobody
    (
        "ForwardReport",
        {"opdCode": "dinas-pupr", "reason": "Salah alamat"},
        {"dlh", "operator", "command", "admin"},
    ),
    # Operators include Diskominfo (reports.permissions.OPERATORS); the old copy of
    # this rule in reports.actions spelt the roles out and left Diskominfo out.
    (
        "AddProgressNote",
        {"note": "Petugas menuju lokasi."},
        {"dlh", "operator", "command", "admin"},
    ),
    (
        "RequestInformation",
        {"question": "Di mana tepatnya?"},
        {"dlh", "operator", "command", "admin"},
    ),
    ("MergeReports", {"intoCode": "ZZZZ-ZZZZ"}, set()),
    ("ConfirmResolution", {}, set()),  # not resolved yet
    ("RateReport", {"rating": 5}, set()),
]
ROLES = [
    "reporter",
    "other_citizen",
    "operator",
    "surveyor",
    "dlh",
    "pupr",
    "command",
    "admin",
    None,
]


@pytest.mark.parametrize(("mutation", "variables", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_role_mutation_matrix(api, tokens, mutation, variables, allowed):
    """Every role tries every mutation on the same report; each try is rolled
    back, so an allowed role does not change what the next role meets."""
    code, issued = tokens
    key = "duplicateCode" if mutation == "MergeReports" else "trackingCode"
    outcome = {}
    for role in ROLES:
        with transaction.atomic():
            result = api("kotacontoh", issued.get(role)).op(mutation, {key: code, **variables})
            payload = next(iter(result["data"].values()))
            outcome[role] = payload["errors"][0]["code"] if payload["errors"] else "OK"
            transaction.set_rollback(True)
        connection.set_schema_to_public()
    expected = {role: "OK" if role in allowed else refusal(mutation, role) for role in ROLES}
    assert outcome == expected


def refusal(mutation: str, role: str | None) -> str:
    """The exact code a role that may not make ``mutation`` gets."""
    if role is None:
        return "UNAUTHENTICATED"
    special = REFUSALS.get(mutation, {})
    return special.get(role, special.get("*", "FORBIDDEN"))


# Where the refusal is not FORBIDDEN: a report another citizen cannot see is
# NOT_FOUND for them; a move the report's state does not allow is refused as such.
REFUSALS: dict[str, dict[str, str]] = {
    # The report is assigned, not in triage: the state refuses everyone signed in.
    "TriageReport": {"*": "INVALID_TRANSITION"},
    # The target report does not exist: found missing before any role check.
    "MergeReports": {"*": "NOT_FOUND"},
    # Nothing is resolved yet.
    "ConfirmResolution": {"*": "INVALID_TRANSITION"},
    # Only the reporter may rate, and only once it is resolved.
    "RateReport": {"reporter": "NOT_RESOLVED"},
}


def test_staff_only_queries_refuse_citizens(api, tokens):
    _, issued = tokens
    result = api("kotacontoh", issued["reporter"]).op("Dashboard")
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    staff = api("kotacontoh", issued["command"]).op("Dashboard")
    assert staff["data"]["dashboard"]["byStatus"]


def test_a_deep_query_is_refused(api, world):
    deep = "query { opds { " + "parent { " * 12 + "code" + " }" * 12 + " } }"
    result = api("kotacontoh").raw(deep).json()
    assert result["data"] is None
    assert "exceeds maximum operation depth of 10" in result["errors"][0]["message"]
    shallow = "query { opds { parent { parent { code } } } }"
    assert "errors" not in api("kotacontoh").raw(shallow).json()


def test_introspection_is_off_in_production(settings):
    import strawberry

    from api import schema as schema_module

    settings.KANAL_GRAPHQL_INTROSPECTION = False
    production = strawberry.Schema(
        query=schema_module.Query,
        mutation=schema_module.Mutation,
        extensions=schema_module.extensions(),
    )
    result = production.execute_sync("{ __schema { types { name } } }")
    assert result.errors and "introspection" in result.errors[0].message.lower()


def test_an_alias_flood_is_refused(api, world):
    query = "query {" + " ".join(f"a{i}: appConfig {{ cityName }}" for i in range(50)) + "}"
    result = api("kotacontoh").raw(query).json()
    assert "aliases" in result["errors"][0]["message"].lower()


def test_too_many_tokens_are_refused(api, world):
    query = "query { appConfig { " + " ".join(["cityName"] * 5000) + " } }"
    result = api("kotacontoh").raw(query).json()
    assert "token" in result["errors"][0]["message"].lower()


def test_an_oversized_upload_is_refused_clearly(api, tokens, settings):
    settings.KANAL_MAX_UPLOAD_BYTES = 100_000
    _, issued = tokens
    result = api("kotacontoh", issued["reporter"]).op(
        "SubmitReport",
        {
            "input": {
                "categoryCode": "sampah",
                "description": "Sampah menumpuk di pinggir jalan.",
                "latitude": -8.58,
                "longitude": 116.1,
            }
        },
        files=[("photos.0", b"\xff\xd8" + b"\0" * 200_000)],
    )["data"]["submitReport"]
    assert (
        result["errors"][0]["field"] == "photos[0]" and result["errors"][0]["code"] == "TOO_LARGE"
    )


def test_otp_flooding_is_refused(api, world, settings):
    settings.KANAL_OTP_SENDER = "people.otp.MemorySender"
    app = api("kotacontoh")
    codes = []
    for index in range(12):
        result = app.op("RequestOtp", {"phone": f"0812-5555-{index:04d}"})["data"]["requestOtp"]
        codes.append(result["errors"][0]["code"] if result["errors"] else "OK")
    assert codes[:10] == ["OK"] * 10
    assert codes[10:] == ["RATE_LIMITED", "RATE_LIMITED"]  # 10 per minute per address


def test_a_page_of_reports_costs_the_same_queries_whatever_its_size(api, world):
    city = world("kotacontoh")
    lat, lon = city.center
    for index in range(25):
        city.submit(
            city.citizen(f"+62812000{index:05d}"),
            category_code="sampah",
            near=(lat + index * 0.001, lon),
        )
    connection.set_schema_to_public()
    counts = {}
    for size in (5, 20):
        with CaptureQueriesContext(connection) as queries:
            result = api("kotacontoh").op("PublicFeed", {"first": size})
        edges = result["data"]["reports"]["edges"]
        assert len(edges) == size and edges[0]["node"]["timeline"] and edges[0]["node"]["photos"]
        counts[size] = len(queries.captured_queries)
    assert counts[5] == counts[20], counts
    assert counts[20] <= 12


def test_page_size_is_capped(api, world):
    result = api("kotacontoh").op("PublicFeed", {"first": 500})
    assert result["errors"] and "100" in result["errors"][0]["message"]


def test_committed_schema_matches_the_code():
    from api.schema import schema

    committed = (ROOT / "graphql" / "schema.graphql").read_text()
    assert committed == str(schema) + "\n", "run: python manage.py export_graphql_schema"


def test_every_operation_document_validates_against_the_schema():
    from api.schema import schema
    from graphql import parse, validate

    for path in sorted((ROOT / "graphql" / "operations").glob("*.graphql")):
        if path.read_text().lstrip().startswith("fragment"):
            continue
        errors = validate(schema._schema, parse(document(path.stem)))
        assert errors == [], (path.name, errors)
