"""Cursor pagination whose bad input is the caller's error, not an internal one.

strawberry-django decodes ``after``/``before`` cursors with base64 and JSON and
raises ``ValueError("Incorrect padding")`` and the like from deep inside; those
reached the client as internal messages. Here a cursor that is not one we
issued is ``INVALID_CURSOR`` on its argument, and a page over the limit is
``PAGE_SIZE_TOO_LARGE`` on ``first``/``last``, both as typed errors.
"""

from __future__ import annotations

import json
import re
from typing import Any

import strawberry
from django.utils.translation import gettext_lazy as _
from strawberry import relay
from strawberry.relay import from_base64
from strawberry_django.relay import DjangoCursorConnection
from strawberry_django.relay.cursor_connection import DjangoCursorEdge

from kanal.errors import InvalidInput

_PAGE_LIMIT = re.compile(r"^Argument '(first|last)' cannot be higher than (\d+)\.$")


def check_cursor(argument: str, cursor: str | None) -> None:
    """Raise ``INVALID_CURSOR`` unless ``cursor`` has the shape of one we issued."""
    if not cursor:
        return
    try:
        prefix, payload = from_base64(cursor)
        values = json.loads(payload)
    except (ValueError, TypeError):
        values = prefix = None
    if (
        prefix != DjangoCursorEdge.CURSOR_PREFIX
        or not isinstance(values, list)
        or not all(v is None or isinstance(v, str) for v in values)
    ):
        raise InvalidInput(
            field=argument,
            code="INVALID_CURSOR",
            message=_("Penanda halaman (cursor) tidak valid; muat ulang daftar dari awal."),
        )


@strawberry.type(name="CursorConnection", description="A connection to a list of items.")
class KanalCursorConnection(DjangoCursorConnection[relay.NodeType]):
    @classmethod
    def resolve_connection(
        cls,
        nodes: Any,
        *,
        info: Any,
        before: str | None = None,
        after: str | None = None,
        first: int | None = None,
        last: int | None = None,
        max_results: int | None = None,
        **kwargs: Any,
    ):
        check_cursor("after", after)
        check_cursor("before", before)
        for name, value in (("first", first), ("last", last)):
            if value is not None and value < 0:
                raise InvalidInput(
                    field=name,
                    code="PAGE_SIZE_NEGATIVE",
                    message=_("%(name)s tidak boleh negatif."),
                    params={"name": name},
                )
        try:
            return super().resolve_connection(
                nodes,
                info=info,
                before=before,
                after=after,
                first=first,
                last=last,
                max_results=max_results,
                **kwargs,
            )
        except ValueError as exc:
            limit = _PAGE_LIMIT.match(str(exc))
            if limit:
                raise InvalidInput(
                    field=limit.group(1),
                    code="PAGE_SIZE_TOO_LARGE",
                    message=_("Paling banyak %(limit)s baris per halaman."),
                    params={"limit": limit.group(2)},
                ) from exc
            if str(exc) == "Invalid cursor":  # well-formed, but not for this list
                check_cursor("after" if after else "before", "?")
            raise
