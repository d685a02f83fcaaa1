"""Reading a city config file into a :class:`CityConfig`, or a full list of problems.

Every problem names the file, the path inside it (``categories[3].sla.resolution``),
the line where YAML put it, and the reason. Nothing is written by this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from onboarding.checks import semantic_problems
from onboarding.schema import CityConfig

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    file: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or "<config>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.path or '(root)'}: {self.message}"


class ConfigInvalid(Exception):
    """The config has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _walk_nodes(node: yaml.Node, loc: Loc, lines: dict[Loc, int], problems: list[Problem]):
    lines[loc] = node.start_mark.line + 1
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
            _walk_nodes(value_node, (*loc, key), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_nodes(item, (*loc, index), lines, problems)


def _line_for(lines: dict[Loc, int], loc: Loc) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


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
    if root is None or not isinstance(data, dict):
        raise ConfigInvalid([Problem("", "the file must hold a YAML mapping (key: value)", file)])

    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    _walk_nodes(root, (), lines, problems)
    problems = [Problem(p.path, p.message, file, p.line) for p in problems]

    return validate_config_data(
        data, file=file, expected_slug=expected_slug, lines=lines, problems=problems
    )


def validate_config_data(
    data: dict,
    *,
    file: str = "",
    expected_slug: str | None = None,
    lines: dict[Loc, int] | None = None,
    problems: list[Problem] | None = None,
) -> CityConfig:
    """Validate config *data* (from YAML, or an admin edit) with the config model
    and the cross-reference checks. Raises ConfigInvalid with every problem."""
    lines = lines or {}
    problems = list(problems or [])
    try:
        config = CityConfig.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown key (not part of the city config schema)"
            elif message.startswith("Value error, "):
                message = message.removeprefix("Value error, ")
            problems.append(Problem(format_path(loc), message, file, _line_for(lines, loc)))
        raise ConfigInvalid(problems) from exc

    for path_loc, message in semantic_problems(config, expected_slug=expected_slug):
        problems.append(Problem(format_path(path_loc), message, file, _line_for(lines, path_loc)))
    if problems:
        raise ConfigInvalid(problems)
    return config


def load_config(path: str | Path) -> CityConfig:
    """Read ``tenant_configs/<slug>.yaml``; the slug inside must match the file name."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigInvalid([Problem("", f"cannot read the file: {exc}", str(path))]) from exc
    return parse_config(text, file=str(path), expected_slug=path.stem)
