"""While a city is suspended, its GraphQL API serves reporting and tracking only.

The middleware lets ``POST /graphql/`` through for a suspended city with
``request.city_suspended = True`` (docs/billing.md); this extension then refuses,
with HTTP 503 and code CITY_SUSPENDED, any operation that selects a root field
outside ``ALLOWED_WHILE_SUSPENDED``. Which *categories* may still be reported
(emergency ones) is decided by ``reports.intake.submit_report`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _
from graphql.error import GraphQLError
from graphql.execution import ExecutionResult
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from kanal.errors import Unavailable
from tenants.service_policy import API_FIELDS_WHILE_SUSPENDED, refused_api_fields

ALLOWED_WHILE_SUSPENDED = API_FIELDS_WHILE_SUSPENDED  # the one policy: tenants.service_policy


def _root_fields(selection_set: SelectionSetNode, fragments: dict, seen: set) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                yield from _root_fields(fragments[name].selection_set, fragments, seen)
            elif name not in fragments:
                yield f"...{name}"  # unknown fragment: validation refuses it anyway


class SuspendedCityGuard(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if getattr(request, "city_suspended", False) and context.graphql_document is not None:
            operation = get_operation_ast(context.graphql_document, context.operation_name)
            fragments = {
                d.name.value: d
                for d in context.graphql_document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            refused = (
                refused_api_fields(set(_root_fields(operation.selection_set, fragments, set())))
                if operation is not None
                else ["?"]
            )
            if refused:
                city = getattr(request, "tenant", None)
                error = Unavailable(
                    code="CITY_SUSPENDED",
                    message=_(
                        "Layanan %(city)s sedang ditangguhkan: hanya laporan darurat dan "
                        "pelacakan laporan yang tersedia."
                    ),
                    params={"city": city},
                    details={"refused": refused},
                )
                context.result = ExecutionResult(
                    data=None, errors=[GraphQLError(error.message, original_error=error)]
                )
                response = getattr(context.context, "response", None)
                if response is not None:
                    response.status_code = 503
        yield
