"""The console's index of tools: screens that are not one model's list.

Each part of the console registers its tools here (a URL name and a label in
Indonesian, translated), and the admin index shows them first, grouped, to the
people whose permissions the tool names. Core apps may register (this module
imports nothing of theirs); the admin site only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class Tool:
    url_name: str
    label: str | Promise
    help: str | Promise
    permission: str  # "app_label.codename" the user needs
    order: int = 100


_TOOLS: dict[str, Tool] = {}


def register_tool(tool: Tool) -> None:
    _TOOLS[tool.url_name] = tool


def tools_for(request) -> list[dict]:
    """The tools this user may open, in order, with their URLs."""
    out = []
    for tool in sorted(_TOOLS.values(), key=lambda t: (t.order, str(t.label))):
        if not request.user.has_perm(tool.permission):
            continue
        try:
            url = reverse(tool.url_name)
        except NoReverseMatch:
            continue
        out.append({"url": url, "label": tool.label, "help": tool.help})
    return out
