"""Expected failures of the core services, as data the API can return.

A service raises :class:`ServiceError` with a stable ``code``, the input
``field`` at fault (if any) and the message in Indonesian and English; the
GraphQL layer turns it into a typed error, never a stack trace.
"""

from __future__ import annotations

from kanal.i18n import pick


class ServiceError(Exception):
    code: str = "INVALID"

    def __init__(
        self,
        *,
        id: str,
        en: str,
        code: str | None = None,
        field: str | None = None,
        details: dict | None = None,
    ):
        self.message_id = id
        self.message_en = en
        self.code = code or self.code
        self.field = field
        self.details = details or {}
        super().__init__(f"{self.code}: {en}")

    @property
    def message(self) -> str:
        """The message in the active language (Indonesian unless English is asked for)."""
        return pick(self.message_id, self.message_en)


class NotFound(ServiceError):
    """Missing *or* not visible to the caller: the two are indistinguishable on purpose."""

    code = "NOT_FOUND"


class PermissionDenied(ServiceError):
    code = "FORBIDDEN"


class InvalidInput(ServiceError):
    code = "INVALID"


class Conflict(ServiceError):
    code = "CONFLICT"


class Unavailable(ServiceError):
    """The service is not offered right now (e.g. the city is suspended)."""

    code = "UNAVAILABLE"


class RateLimited(ServiceError):
    code = "RATE_LIMITED"

    def __init__(self, *, retry_after: int, **kwargs):
        super().__init__(**kwargs)
        self.details["retry_after_seconds"] = retry_after
