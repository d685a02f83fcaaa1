"""Issue 12: every bad request gets a clean, typed refusal over real HTTP.

Each test sends what an attacker or a careless client sends to a real uvicorn
(started as production starts it) and asserts what the client sees: the
status, the content type, the stable code, and that nothing was written.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.hardening.conftest import OTHER, PASSWORD, SLUG

# django_db: makes the session create the test database; the tests commit through
# their own connections (the server process must see it).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

LOGIN = (
    "mutation($u:String!,$p:String!){ staffLogin(username:$u, password:$p)"
    "{ token errors { field code message } } }"
)
SUBMIT = (
    "mutation($input: SubmitReportInput!){ submitReport(input:$input)"
    "{ created report { trackingCode } errors { field code message } } }"
)
MATARAM = {"latitude": -8.5833, "longitude": 116.1167}
INTERNALS = ("Traceback", "psycopg", "character varying", "Incorrect padding", "Decode")


def report_count(in_city) -> int:
    from reports.models import Report

    return in_city(SLUG, Report.objects.count)


def fire(description: str = "Asap tebal dari gudang di belakang pasar.", **extra) -> dict:
    return {"categoryCode": "kebakaran", "description": description, **MATARAM, **extra}


def assert_clean(answer, status: int, code: str) -> dict:
    assert answer.status == status, answer.body[:300]
    assert answer.content_type.startswith("application/json"), answer.content_type
    body = answer.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == code
    assert not any(word in answer.body.decode() for word in INTERNALS)
    return body


# --- 1. a forged X-Forwarded-For lifts nothing --------------------------------------


def test_forged_forwarded_for_does_not_lift_the_staff_lockout(live, staff_account):
    username = staff_account("operator")
    codes = []
    for attempt in range(5):
        wrong = live.gql(
            LOGIN,
            {"u": username, "p": "salah"},
            headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
        )
        [error] = wrong.json()["data"]["staffLogin"]["errors"]
        codes.append(error["code"])
    # Each forged address counted against the one real address: the fifth locks.
    assert codes == ["INVALID_CREDENTIALS"] * 4 + ["ACCOUNT_LOCKED"]
    right = live.gql(
        LOGIN, {"u": username, "p": PASSWORD}, headers={"X-Forwarded-For": "198.51.100.77"}
    )
    # GraphQL JSON (not axes' HTML 429 page), and no token.
    assert right.status == 200 and right.content_type.startswith("application/json")
    payload = right.json()["data"]["staffLogin"]
    assert payload["token"] is None
    assert payload["errors"][0]["code"] == "ACCOUNT_LOCKED"
    assert "menit" in payload["errors"][0]["message"]


def test_the_stored_client_address_is_the_peer_not_the_header(live, in_city):
    from people.models import OtpChallenge

    answer = live.gql(
        'mutation{ requestOtp(phone:"0812-5555-0101"){ sent } }',
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert answer.json()["data"]["requestOtp"]["sent"]
    stored = in_city(
        SLUG,
        lambda: OtpChallenge.objects.filter(phone="+6281255550101").latest("pk").client_ip,
    )
    assert stored == "127.0.0.1"


# --- 2. bodies that are not UTF-8 ------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xd8\xff\xe0binary",
        '{"query":"{ __typename }"}'.encode("utf-16"),
        '{"query":"{ __typename }", "x": "Pasar Cakranegara é"}'.encode("latin-1"),
    ],
    ids=["binary", "utf-16", "latin-1"],
)
def test_a_body_that_is_not_utf8_is_a_typed_400(live, body):
    answer = live.request("POST", "/graphql/", body, {"Content-Type": "application/json"})
    assert_clean(answer, 400, "INVALID_ENCODING")


def test_a_body_that_is_not_json_is_a_typed_400_in_english_when_asked(live):
    headers = {"Content-Type": "application/json", "Accept-Language": "en"}
    answer = live.request("POST", "/graphql/", b"{query", headers)
    body = assert_clean(answer, 400, "INVALID_JSON")
    assert body["errors"][0]["message"] == "The request body is not valid JSON."


# --- 3. NUL bytes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"input": fire("Asap tebal\x00 dari gudang pasar.")}, "variables.input.description"),
        ({"input": fire(address="Jl. Pejanggik\x00 12")}, "variables.input.address"),
    ],
)
def test_nul_in_a_report_is_refused_and_nothing_is_written(live, in_city, variables, field):
    before = report_count(in_city)
    body = assert_clean(live.gql(SUBMIT, variables), 400, "INVALID_CHARACTERS")
    assert body["errors"][0]["extensions"]["field"] == field
    assert report_count(in_city) == before


def test_nul_in_a_filter_or_a_username_or_a_literal_is_refused(live):
    feed = (
        "query($c:String){ reports(filter:{categoryCode:$c}){ edges { node { trackingCode } } } }"
    )
    assert_clean(live.gql(feed, {"c": "sampah\x00"}), 400, "INVALID_CHARACTERS")
    assert_clean(live.gql(LOGIN, {"u": "admin\x00", "p": "x"}), 400, "INVALID_CHARACTERS")
    literal = 'mutation{ staffLogin(username:"admin\\u0000", password:"x"){ token } }'
    assert_clean(live.gql(literal), 400, "INVALID_CHARACTERS")


# --- 4. values longer than their column -------------------------------------------


def test_an_overlong_idempotency_key_is_a_field_error(live, in_city):
    before = report_count(in_city)
    answer = live.gql(SUBMIT, {"input": fire(idempotencyKey="k" * 81)})
    [error] = answer.json()["data"]["submitReport"]["errors"]
    assert (error["field"], error["code"]) == ("idempotencyKey", "TOO_LONG")
    assert "80" in error["message"]
    assert report_count(in_city) == before


def test_an_overlong_address_is_a_field_error(live):
    answer = live.gql(SUBMIT, {"input": fire(address="Jl. " + "Panjang" * 60)})
    [error] = answer.json()["data"]["submitReport"]["errors"]
    assert (error["field"], error["code"]) == ("address", "TOO_LONG")


# --- 5. pagination cursors --------------------------------------------------------


@pytest.mark.parametrize("cursor", ["abc", "b3JkZXJlZGN1cnNvcjp4", "YTpiOmM=", "!!!!"])
def test_a_bad_cursor_is_invalid_cursor_on_its_argument(live, cursor):
    answer = live.gql(
        "query($a:String){ reports(first:5, after:$a){ edges { node { trackingCode } } } }",
        {"a": cursor},
    )
    assert answer.status == 200
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert error["extensions"]["field"] == "after"
    assert not any(word in error["message"] for word in INTERNALS)


def test_a_page_over_the_limit_is_a_typed_error(live):
    answer = live.gql("{ reports(first:1000){ edges { node { trackingCode } } } }")
    [error] = answer.json()["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "PAGE_SIZE_TOO_LARGE",
        "first",
    )


# --- 6. refusals on /graphql/ are GraphQL JSON --------------------------------------


def _multipart(fields: dict[str, bytes], files: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
        )
    for index in range(files):
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{index}"; '
                f'filename="foto{index}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode()
            + b"\xff\xd8\xff\xd9\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_too_many_files_is_a_typed_refusal_and_writes_nothing(live, in_city):
    before = report_count(in_city)
    photos = [None] * 7
    operations = json.dumps({"query": SUBMIT, "variables": {"input": fire(), "photos": photos}})
    mapping = json.dumps({str(i): [f"variables.photos.{i}"] for i in range(7)})
    body, content_type = _multipart(
        {"operations": operations.encode(), "map": mapping.encode()}, files=7
    )
    answer = live.request("POST", "/graphql/", body, {"Content-Type": content_type})
    assert_clean(answer, 400, "TOO_MANY_FILES")
    assert report_count(in_city) == before


def test_a_form_field_over_the_limit_is_a_typed_413(live):
    huge = json.dumps({"query": SUBMIT, "variables": {"input": fire("x" * 3_000_000)}})
    body, content_type = _multipart({"operations": huge.encode(), "map": b"{}"}, files=0)
    answer = live.request("POST", "/graphql/", body, {"Content-Type": content_type})
    assert_clean(answer, 413, "PAYLOAD_TOO_LARGE")


def test_wrong_content_type_and_method_are_graphql_json(live):
    answer = live.request("POST", "/graphql/", b"query", {"Content-Type": "text/plain"})
    assert_clean(answer, 415, "UNSUPPORTED_CONTENT_TYPE")
    answer = live.request("PUT", "/graphql/", b"{}", {"Content-Type": "application/json"})
    assert_clean(answer, 405, "METHOD_NOT_ALLOWED")


# --- 7. another city's token on a query --------------------------------------------


@pytest.mark.isolation
def test_another_citys_token_on_a_query_says_token_other_city(live):
    token = live.citizen_token("0812-5555-0202", "+6281255550202", slug=OTHER)
    answer = live.gql("{ myReports(first:5){ edges { node { trackingCode } } } }", token=token)
    assert answer.status == 200
    assert answer.codes == ["TOKEN_OTHER_CITY"]
    assert answer.json()["data"] is None
    # The same token on its own city works.
    mine = live.gql(
        "{ myReports(first:5){ edges { node { trackingCode } } } }", token=token, slug=OTHER
    )
    assert "errors" not in mine.json()


# --- 8. retries of one submission are replays, not rate-limited ------------------


def test_twenty_concurrent_retries_get_their_report_back(live, in_city):
    token = live.citizen_token("0812-5555-0303", "+6281255550303")
    variables = {"input": fire(idempotencyKey=f"retry-{uuid.uuid4().hex}")}
    first = live.gql(SUBMIT, variables, token=token).json()["data"]["submitReport"]
    assert first["created"] and not first["errors"], first
    code = first["report"]["trackingCode"]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: live.gql(SUBMIT, variables, token=token), range(20)))
    payloads = [a.json()["data"]["submitReport"] for a in answers]
    assert [p["errors"] for p in payloads] == [[]] * 20
    assert {p["report"]["trackingCode"] for p in payloads} == {code}
    assert not any(p["created"] for p in payloads)


# --- 9. host names are case-insensitive ----------------------------------------------


def test_an_upper_case_host_is_the_same_city(live):
    answer = live.request(
        "POST",
        "/graphql/",
        b'{"query":"{ appConfig { appName } }"}',
        {"Content-Type": "application/json"},
        host=f"{SLUG.upper()}.LOCALHOST:{live.port}",
    )
    assert answer.status == 200, answer.body[:200]
    assert answer.json()["data"]["appConfig"]["appName"] == "Mataramku Lapor"
