"""Reading a city config file into a :class:`CityConfig`, or a full list of problems.

Every problem names the file, the path inside it (``categories[3].sla.resolution``),
the line where YAML put it, and the reason. Nothing is written by this module.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cityconfig.schema import CityConfig
from cityconfig.validation import (  # noqa: F401 (re-exported for onboarding callers)
    ConfigInvalid,
    Loc,
    Problem,
    format_path,
    line_for,
    validate_config_data,
)


def _walk_nodes(
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    problems: list[Problem],
    walked: set[int] | None = None,
):
    lines[loc] = node.start_mark.line + 1
    # An alias is the very node of its anchor: walk each node once, else an alias
    # inside its own anchor (``a: &x [*x]``) recurses forever and nested aliases
    # ("billion laughs") take exponential time. Paths below an alias get its line.
    walked = set() if walked is None else walked
    if id(node) in walked:
        return
    walked.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append(
                    Problem(
                        format_path((*loc, key)),
                        f"duplicate key '{key}' (first on line {seen[key]})",
                        line=key_node.start_mark.line + 1,
                    )
                )
            seen[key] = key_node.start_mark.line + 1
            _walk_nodes(value_node, (*loc, key), lines, problems, walked)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_nodes(item, (*loc, index), lines, problems, walked)


def parse_config(text: str, *, file: str = "", expected_slug: str | None = None) -> CityConfig:
    """Parse and validate config text. Raises ConfigInvalid with every problem found."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigInvalid([Problem("", f"not valid YAML: {reason}", file, line)]) from exc
    except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
        # PyYAML's constructors raise plain exceptions for a value that does not fit
        # its tag: !!timestamp 2025-02-30, !!int x, !!bool maybe, !!float x.
        detail = f" ({exc})" if isinstance(exc, ValueError) else ""
        message = f"not valid YAML: a value does not fit its type{detail}"
        raise ConfigInvalid([Problem("", message, file)]) from exc
    except RecursionError as exc:  # thousands of nested [ or {
        raise ConfigInvalid([Problem("", "not valid YAML: nested too deeply", file)]) from exc
    if root is None or not isinstance(data, dict):
        raise ConfigInvalid([Problem("", "the file must hold a YAML mapping (key: value)", file)])

    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    _walk_nodes(root, (), lines, problems)
    problems = [Problem(p.path, p.message, file, p.line) for p in problems]

    return validate_config_data(
        data, file=file, expected_slug=expected_slug, lines=lines, problems=problems
    )


def load_config(path: str | Path) -> CityConfig:
    """Read ``tenant_configs/<slug>.yaml``; the slug inside must match the file name."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigInvalid([Problem("", f"cannot read the file: {exc}", str(path))]) from exc
    return parse_config(text, file=str(path), expected_slug=path.stem)
