"""Recording onboarding runs: every plan shown and every apply, with its outcome.

The wizard of the vendor console and ``manage.py onboard --apply`` both call
:func:`apply_recorded`. The run row is written *outside* ``apply_config``'s
transaction (before it starts and after it ends), so an apply that fails and
rolls back every row and the schema still leaves a "failed" run with its error.
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError
from django.utils import timezone

from cityconfig.schema import CityConfig
from cityconfig.validation import ConfigInvalid
from onboarding.models import OnboardingRun, RunSource, RunStatus
from onboarding.services import Plan, apply_config

logger = logging.getLogger(__name__)
_ERROR_MAX = 20_000


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ConfigInvalid):
        lines = [f"{p.path or '-'}: {p.message}" for p in exc.problems]
        return "\n".join(lines)[:_ERROR_MAX]
    return f"{type(exc).__name__}: {exc}"[:_ERROR_MAX]


def record_plan(
    config: CityConfig,
    plan: Plan,
    *,
    actor: str,
    kind: str,
    text: str = "",
    file_name: str = "",
    region_code: str = "",
    template: str = "",
) -> OnboardingRun:
    """A run in state "planned": what was shown to ``actor`` before applying."""
    if kind not in RunSource.values:
        raise ValueError(f"unknown onboarding source {kind!r}")
    return OnboardingRun.objects.create(
        actor=actor[:150],
        source_kind=kind,
        file_name=file_name[:300],
        region_code=region_code[:20],
        template=template[:63],
        city_slug=config.slug,
        yaml_text=text,
        creates_city=plan.creates_city,
        plan=[c.as_json() for c in plan.changes],
        status=RunStatus.PLANNED if plan.has_changes else RunStatus.NO_CHANGES,
    )


def apply_recorded(
    config: CityConfig,
    *,
    actor: str,
    source: str,
    kind: str,
    run: OnboardingRun | None = None,
    text: str = "",
    file_name: str = "",
    region_code: str = "",
    template: str = "",
) -> tuple[OnboardingRun, Plan]:
    """``apply_config`` with its outcome recorded on ``run`` (a new run if None).

    Returns the run and the applied plan. Any failure is recorded (status
    "failed", the error text, the duration) and then raised again unchanged:
    ``ConfigInvalid`` for a config the database refuses, anything else for a
    failure mid-way (the apply's transaction has undone all of it).
    """
    if run is None:
        run = OnboardingRun.objects.create(
            actor=actor[:150],
            source_kind=kind,
            file_name=file_name[:300],
            region_code=region_code[:20],
            template=template[:63],
            city_slug=config.slug,
            yaml_text=text,
        )
    started = time.monotonic()
    try:
        plan = apply_config(config, actor=actor, source=source)
    except BaseException as exc:
        run.status = RunStatus.FAILED
        run.error = _error_text(exc)
        _finish(run, started)
        logger.warning("onboarding of %s by %s failed: %s", config.slug, actor, run.error[:300])
        raise
    run.status = RunStatus.APPLIED if plan.has_changes else RunStatus.NO_CHANGES
    run.creates_city = plan.creates_city
    run.plan = [c.as_json() for c in plan.changes]
    run.error = ""
    _finish(run, started)
    return run, plan


def _finish(run: OnboardingRun, started: float) -> None:
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.finished_at = timezone.now()
    try:
        run.save()
    except DatabaseError:  # the database itself is gone: the log line is all we have
        logger.exception("onboarding run %s could not be recorded", run.pk)
