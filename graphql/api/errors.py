"""Expected failures as data (Saleor's habit): every mutation payload has
``errors: [Error!]!`` with the input field, a stable code and a message in the
caller's language."""

from __future__ import annotations

import logging

import strawberry

from kanal.error_codes import ErrorCode as ErrorCodeValues
from kanal.errors import ServiceError

logger = logging.getLogger(__name__)

ErrorCode = strawberry.enum(
    ErrorCodeValues,
    name="ErrorCode",
    description="Stable codes of every refusal; apps switch on these, people read the message.",
)


@strawberry.type(description="A failure the caller can act on.")
class Error:
    field: str | None
    code: ErrorCode
    message: str


def error_code(code: str) -> ErrorCodeValues:
    """The enum member for ``code``; an unlisted code (a bug that
    tests/test_error_codes.py is there to catch) is reported as INVALID."""
    try:
        return ErrorCodeValues(code)
    except ValueError:
        logger.error("error code %r is not in kanal.error_codes", code)
        return ErrorCodeValues("INVALID")


def error_from(exc: ServiceError) -> Error:
    return Error(field=exc.field, code=error_code(exc.code), message=exc.message)
