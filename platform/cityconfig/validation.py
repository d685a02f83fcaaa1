"""Validating a city's configuration: the config model (``cityconfig.schema``)
plus the cross-reference checks (``cityconfig.checks``), with every problem's
path and reason. The YAML loader (``onboarding.loading``), the admin and the
console all validate through :func:`validate_config_data`, so a city cannot be
given a configuration by one door that another would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from cityconfig.checks import semantic_problems
from cityconfig.schema import CityConfig

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


def line_for(lines: dict[Loc, int], loc: Loc) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


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
            problems.append(Problem(format_path(loc), message, file, line_for(lines, loc)))
        raise ConfigInvalid(problems) from exc

    for path_loc, message in semantic_problems(config, expected_slug=expected_slug):
        problems.append(Problem(format_path(path_loc), message, file, line_for(lines, path_loc)))
    if problems:
        raise ConfigInvalid(problems)
    return config
