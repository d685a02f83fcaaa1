"""Checks on a GraphQL request's raw input, before anything executes it.

Strings with a NUL character (PostgreSQL refuses them in text) or an unpaired
UTF-16 surrogate (they cannot be encoded for the database) are refused here
with the path of the offending variable, instead of surfacing as the
database's message. Both can arrive as JSON escapes (``\\u0000``) in the
variables, or as GraphQL escapes inside a string literal of the query.
"""

from __future__ import annotations

import re
from typing import Any

from kanal.validation import bad_strings, unstorable

# A GraphQL string escape for U+0000 (``\\u0000`` or ``\\u{0}``); graphql-core
# refuses unpaired surrogate escapes itself.
_QUERY_ESCAPE = re.compile(r"\\u(?:0000|\{0+\})")


def first_bad_input(query: Any, variables: Any, operation_name: Any) -> str | None:
    """The first field whose text cannot be stored, or None."""
    if isinstance(query, str) and (unstorable(query) or _QUERY_ESCAPE.search(query)):
        return "query"
    if isinstance(operation_name, str) and unstorable(operation_name):
        return "operationName"
    for path in bad_strings(variables, "variables"):
        return path
    return None
