"""A short-lived cache of anonymous public queries: the feed, the map, categories.

The public feed is read far more often than reports change, and most of its
cost is GraphQL execution (some 600 resolved fields for a page of 20 reports),
not SQL. Requests without an Authorization header whose operation selects only
public root fields are cached per city (the cache's key function prefixes the
schema: ISOLATION.md #2), language and suspension state, under the city's
*public version*, which every committed report change bumps
(``reports.events``): a new or changed report shows at once. Config changes
(categories, branding) show within ``KANAL_PUBLIC_QUERY_CACHE_SECONDS``, and
onboarding bumps the version too. 0 turns the cache off (the tests' default).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django_tenants.utils import schema_context
from graphql.error import GraphQLError
from graphql.language import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    OperationType,
    parse,
)

from api.suspension import _root_fields

PUBLIC_ROOT_FIELDS = frozenset(
    {
        "__typename",
        "appConfig",
        "categories",
        "areas",
        "opds",
        "report",
        "reports",
        "nearbyReports",
        "publishedRankings",
    }
)
VERSION_KEY = "gql:public-version"
HIT_HEADER = "X-Kanal-Cache"


def bump_public_version(schema: str) -> None:
    """Called after a report change commits in ``schema``."""
    if not settings.KANAL_PUBLIC_QUERY_CACHE_SECONDS:
        return
    with schema_context(schema):  # the key function reads the active schema
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (or evicted): start one
            cache.add(VERSION_KEY, 1, timeout=None)


@lru_cache(maxsize=512)
def is_public_query(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query)
    except (GraphQLError, RecursionError):  # RecursionError: { a { a { … nested past the limit
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
        return False
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    roots = set(_root_fields(operations[0].selection_set, fragments, set()))
    return bool(roots) and roots <= PUBLIC_ROOT_FIELDS


def cache_key(request: HttpRequest) -> str | None:
    """The key for this request's answer, or None when it must not be cached."""
    if (
        not settings.KANAL_PUBLIC_QUERY_CACHE_SECONDS
        or request.method != "POST"
        or request.content_type != "application/json"
        or "Authorization" in request.headers
    ):
        return None
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):  # RecursionError: [[[[… nested past the limit
        return None  # not cached; the view refuses the body with a typed error
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return None
    operation_name = body.get("operationName")
    if not isinstance(operation_name, str | None) or not is_public_query(
        body["query"], operation_name
    ):
        return None
    canonical = json.dumps(
        [body["query"], body.get("variables"), operation_name], sort_keys=True, default=str
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    version = cache.get(VERSION_KEY, 0)
    suspended = int(bool(getattr(request, "city_suspended", False)))
    return f"gql:public:{version}:{translation.get_language()}:{suspended}:{digest}"


def store(key: str, content: bytes) -> None:
    if b'"errors":' not in content:  # never cache an error
        cache.set(key, content, settings.KANAL_PUBLIC_QUERY_CACHE_SECONDS)
