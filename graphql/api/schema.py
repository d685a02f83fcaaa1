"""The one GraphQL schema every city serves, with the OWASP GraphQL limits.

Introspection is on in development and off in production unless
``KANAL_GRAPHQL_INTROSPECTION=true`` (the committed ``graphql/schema.graphql``
is the public contract app developers read instead).
"""

from __future__ import annotations

import strawberry
from django.conf import settings
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry_django.optimizer import DjangoOptimizerExtension

from api.auth_guard import FailedTokenGuard
from api.mutations import Mutation
from api.queries import Query
from api.subscriptions import Subscription
from api.suspension import SuspendedCityGuard
from kanal.errors import ServiceError
from kanal.observability import SentryOperationTag
from kanal.outage import is_outage

MAX_DEPTH = 10
MAX_ALIASES = 20
MAX_TOKENS = 4000


def _mask(error) -> bool:
    """Mask only unexpected exceptions: validation errors (depth, aliases, unknown
    fields) and the core's ServiceErrors are the caller's to read."""
    original = getattr(error, "original_error", None)
    if is_outage(original):
        return False  # the view answers 503 SERVICE_UNAVAILABLE for the whole request
    return original is not None and not isinstance(original, ServiceError)


def extensions() -> list:
    """Factories, so every request gets fresh extension instances."""
    items = [
        DjangoOptimizerExtension,
        SentryOperationTag,
        FailedTokenGuard,
        SuspendedCityGuard,
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ]
    if not settings.KANAL_GRAPHQL_INTROSPECTION:
        items.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    if not settings.DEBUG:
        items.append(
            lambda: MaskErrors(should_mask_error=_mask, error_message="Terjadi kesalahan internal.")
        )
    return items


schema = strawberry.Schema(
    query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions()
)
