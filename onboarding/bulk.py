"""Applying many city configs at once, in parallel, with a result per city.

Creating a city is mostly Django rendering migration states (CPU) and
PostgreSQL creating tables, so the work runs in forked worker processes, one
city each at a time; every city is still its own transaction (all of it or
none of it), and one failing city never stops or undoes the others.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from cityconfig.schema import CityConfig
from cityconfig.validation import ConfigInvalid
from onboarding.models import RunSource
from onboarding.runs import apply_recorded


@dataclass(frozen=True)
class CityResult:
    source: str
    slug: str
    ok: bool
    created: bool = False
    changes: int = 0
    seconds: float = 0.0
    error: str = ""


# The work of one bulk run, inherited by the forked workers (never pickled).
_work: list[tuple[str, CityConfig]] = []
_actor = ""


def _apply_one(index: int) -> CityResult:
    source, config = _work[index]
    start = time.perf_counter()

    def failed(error: str) -> CityResult:
        seconds = time.perf_counter() - start
        return CityResult(source, config.slug, False, seconds=seconds, error=error)

    try:
        text = Path(source).read_text(encoding="utf-8") if Path(source).is_file() else ""
        _run, plan = apply_recorded(
            config, actor=_actor, source=source, kind=RunSource.CLI, text=text, file_name=source
        )
    except ConfigInvalid as exc:
        return failed("; ".join(f"{p.path}: {p.message}" for p in exc.problems))
    except Exception as exc:  # one city's failure is its own result, never the others'
        return failed(f"{type(exc).__name__}: {exc}")
    return CityResult(
        source,
        config.slug,
        True,
        created=plan.creates_city,
        changes=len(plan.changes),
        seconds=time.perf_counter() - start,
    )


def _apply_in_worker(index: int) -> CityResult:
    try:
        return _apply_one(index)
    finally:
        connections.close_all()


def apply_many(
    configs: list[tuple[str, CityConfig]], *, actor: str, jobs: int = 2
) -> list[CityResult]:
    """Apply every ``(source, config)``; results in the order given."""
    global _work, _actor
    _work, _actor = list(configs), actor
    try:
        if jobs <= 1 or len(configs) <= 1:
            return [_apply_one(i) for i in range(len(configs))]
        # Forked children must not share the parent's open database connections.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(min(jobs, len(configs))) as pool:
            return pool.map(_apply_in_worker, range(len(configs)), chunksize=1)
    finally:
        _work, _actor = [], ""
