"""The one GraphQL schema every city serves, with the OWASP GraphQL limits.

Introspection is on in development and off in production unless
``KANAL_GRAPHQL_INTROSPECTION=true`` (the committed ``graphql/schema.graphql``
is the public contract app developers read instead).
"""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from django.conf import settings
from graphql.error import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule, ValidationRule
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
MASKED_MESSAGE = "Terjadi kesalahan internal."


class DepthLimiter(QueryDepthLimiter):
    """strawberry's QueryDepthLimiter, safe on documents the standard rules refuse.

    It measures the document when its rule is created, before any rule has checked
    it, and raised on an empty selection set (graphql-core 3.3 parses ``{}``:
    ValueError "max() arg is an empty sequence") and on a spread of an unknown
    fragment (KeyError): answered as INTERNAL_ERROR with Python's message. Empty
    selection sets are refused by the parser again (the grammar before 3.3; they
    cannot simply be skipped, or ``{ a { b { … {} } } }`` would escape the depth
    limit), and a document spreading an unknown fragment is left to
    KnownFragmentNamesRule, which refuses it (so it never executes).
    """

    def __init__(self, max_depth: int) -> None:
        super().__init__(max_depth=max_depth)
        (measure,) = self.validation_rules

        class Guarded(measure):
            def __init__(self, context) -> None:
                try:
                    super().__init__(context)
                except KeyError:  # ...UnknownFragment
                    ValidationRule.__init__(self, context)

        self.validation_rules = [Guarded]

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["allow_empty_selection_sets"] = False
        yield from super().on_operation()


class MaskCrashes(MaskErrors):
    """MaskErrors that tells the caller's mistakes from crashes.

    graphql-core 3.3 reports a bad variable (missing, of the wrong type, an
    impossible date) with the GraphQLError that explains it as ``original_error``,
    so ``_mask`` hid every such refusal as "Terjadi kesalahan internal.". Those
    keep their message and lose the original: the view then labels them
    GRAPHQL_VALIDATION_FAILED, like the other validation errors.
    """

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if isinstance(error.original_error, GraphQLError):
            return GraphQLError(
                error.message,
                error.nodes,
                error.source,
                error.positions,
                error.path,
                original_error=None,
                extensions=error.extensions,
            )
        return super().anonymise_error(error)


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
        lambda: DepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ]
    if not settings.KANAL_GRAPHQL_INTROSPECTION:
        items.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    if not settings.DEBUG:
        items.append(lambda: MaskCrashes(should_mask_error=_mask, error_message=MASKED_MESSAGE))
    return items


schema = strawberry.Schema(
    query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions()
)
