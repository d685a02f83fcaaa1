"""The short-lived cache of anonymous public queries: a repeated feed query is
answered from the cache, a committed report change shows at once, callers with
a token and mutations are never cached, and one city's answer never reaches
another city (the cache key carries the schema: ISOLATION.md #2)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.public_cache import HIT_HEADER, is_public_query
from tests.api.conftest import document


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.KANAL_PUBLIC_QUERY_CACHE_SECONDS = 30


def feed(api, slug: str, token: str | None = None):
    return api(slug, token).raw(document("PublicFeed"), {"first": 20})


def codes(response) -> list[str]:
    return [e["node"]["trackingCode"] for e in response.json()["data"]["reports"]["edges"]]


@pytest.mark.isolation
def test_a_repeated_feed_is_served_from_the_cache_until_a_report_changes(
    world, api, django_capture_on_commit_callbacks
):
    mataram = world("mataram")
    with django_capture_on_commit_callbacks(execute=True):
        first = mataram.submit().report
    connection.set_schema_to_public()
    fresh = feed(api, "mataram")
    assert HIT_HEADER not in fresh and first.tracking_code in codes(fresh)
    with CaptureQueriesContext(connection) as queries:
        again = feed(api, "mataram")
    assert again[HIT_HEADER] == "hit" and again.content == fresh.content
    assert not [q for q in queries if "reports_report" in q["sql"]]  # no report query ran

    # Another city asking the very same query gets its own answer, not Mataram's.
    other = feed(api, "pangkalpinang")
    assert HIT_HEADER not in other and first.tracking_code not in codes(other)

    # A committed change in Mataram: its next feed shows it at once.
    with django_capture_on_commit_callbacks(execute=True):
        second = world("mataram").submit().report
    connection.set_schema_to_public()
    after = feed(api, "mataram")
    assert HIT_HEADER not in after
    assert second.tracking_code in codes(after) and first.tracking_code in codes(after)


def test_callers_with_a_token_are_never_served_from_the_cache(world, api):
    world("mataram").submit()
    connection.set_schema_to_public()
    feed(api, "mataram")
    assert feed(api, "mataram")[HIT_HEADER] == "hit"
    with_token = feed(api, "mataram", token="knl_mataram_bukan-token")
    assert HIT_HEADER not in with_token


@pytest.mark.parametrize(
    ("name", "public"),
    [
        ("PublicFeed", True),
        ("AppConfig", True),
        ("MyReports", False),
        ("SubmitReport", False),
        ("Dashboard", False),
    ],
)
def test_only_public_read_operations_are_cacheable(name, public):
    assert is_public_query(document(name), None) is public


def test_a_public_field_next_to_a_private_one_is_not_cacheable():
    assert not is_public_query("query { appConfig { cityName } myReports { totalCount } }", None)
    assert not is_public_query("query { reports { edges { cursor } } ", None)  # does not parse
