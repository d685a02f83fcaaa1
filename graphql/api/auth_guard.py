"""A bearer token that fails is refused on every operation, queries included.

Before, a query with another city's (or an expired) token fell back to
anonymous and answered ``UNAUTHENTICATED`` further down, while mutations and
subscriptions said ``TOKEN_OTHER_CITY``: the same token got two answers. A
client that sends a token means to be someone; if the token does not hold, it
hears why (``TOKEN_OTHER_CITY``, ``TOKEN_EXPIRED``…) before anything runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql.error import GraphQLError
from graphql.execution import ExecutionResult
from graphql.language import OperationType
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension


def _is_query(execution_context) -> bool:
    document = execution_context.graphql_document
    if document is None:
        return False
    operation = get_operation_ast(document, execution_context.operation_name)
    return operation is not None and operation.operation == OperationType.QUERY


class FailedTokenGuard(SchemaExtension):
    """Queries only: mutations answer in their payload's ``errors`` (the
    contract's convention), which already carry the token's code."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        request = getattr(context, "request", None)
        headers = getattr(request, "headers", None)
        if (
            headers is not None
            and "Authorization" in headers
            and hasattr(context, "auth_error")
            and _is_query(self.execution_context)
        ):
            context.actor  # noqa: B018 (resolves the token, recording a failure)
            error = context.auth_error
            if error is not None:
                self.execution_context.result = ExecutionResult(
                    data=None, errors=[GraphQLError(error.message, original_error=error)]
                )
        yield
