"""Expected failures of the core services, as data the API can return.

A service raises :class:`ServiceError` with a stable ``code``, the input
``field`` at fault (if any) and a message marked for translation. The message
is an Indonesian source string passed through ``gettext_lazy`` (translations
live in ``locale/<lang>``), with ``params`` filled in when it is read, so the
same error reads in whichever language the caller asked for, and a new
language is a catalog, not a code change. The GraphQL layer turns it into a
typed error, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise

from kanal.i18n import render, render_in


class ServiceError(Exception):
    code: str = "INVALID"

    def __init__(
        self,
        *,
        message: str | Promise,
        params: Mapping[str, Any] | None = None,
        code: str | None = None,
        field: str | None = None,
        details: dict | None = None,
    ):
        self._message = message
        self.params = dict(params or {})
        self.code = code or self.code
        self.field = field
        self.details = details or {}
        super().__init__(f"{self.code}: {self.message_in('en')}")

    @property
    def message(self) -> str:
        """The message in the active language (Indonesian unless another is asked for).

        ``params`` are rendered at the same moment, so a lazily translated
        parameter (a status label, a category name) follows the language too.
        """
        return render(self._message, self.params)

    def message_in(self, language: str) -> str:
        """The message in ``language``, whatever the active one is (for logs, CLIs)."""
        return render_in(language, self._message, self.params)


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
