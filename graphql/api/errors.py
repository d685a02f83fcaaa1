"""Expected failures as data (Saleor's habit): every mutation payload has
``errors: [Error!]!`` with the input field, a stable code and a message in the
caller's language."""

from __future__ import annotations

import strawberry

from kanal.errors import ServiceError


@strawberry.type(description="A failure the caller can act on.")
class Error:
    field: str | None
    code: str
    message: str


def error_from(exc: ServiceError) -> Error:
    return Error(field=exc.field, code=exc.code, message=exc.message)
