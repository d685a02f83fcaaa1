"""The verification pipeline: a city's policy applied to one submission.

Checks are pure functions (:mod:`verification.checks`); this module picks the
policy for the channel, runs the checks and turns their results into a verdict:
any *fail* rejects; a *warn* (or a policy of ``operator_triage: always``) sends
the report to an operator; otherwise it is verified automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityconfig.schema import Verification, duration_minutes
from verification.checks import (
    CheckResult,
    check_freshness,
    check_inside_city,
    check_not_reused,
    check_photo_location,
    combine,
)
from verification.photos import PhotoFacts

AUTO_VERIFIED = "auto_verified"
NEEDS_TRIAGE = "needs_triage"
REJECTED = "rejected"


@dataclass(frozen=True)
class ChannelPolicy:
    """The verification policy as it applies to one channel."""

    photo_required: bool
    missing_exif: str
    missing_gps: str
    max_photo_age: timedelta
    max_gps_distance_m: int
    require_inside_city: bool
    reuse_hash_distance: int
    operator_triage: str


def policy_for(verification: Verification, channel: str, *, category_photo_required: bool | None):
    override = verification.channels.get(channel)
    photo_required = verification.photo_required
    if override is not None and override.photo_required is not None:
        photo_required = override.photo_required
    if category_photo_required is not None:
        photo_required = photo_required and category_photo_required
    return ChannelPolicy(
        photo_required=photo_required,
        missing_exif=(override and override.missing_exif) or verification.missing_exif,
        missing_gps=(override and override.missing_gps) or verification.missing_gps,
        max_photo_age=timedelta(
            minutes=duration_minutes(
                (override and override.max_photo_age) or verification.max_photo_age
            )
        ),
        max_gps_distance_m=verification.max_gps_distance_m,
        require_inside_city=verification.require_inside_city,
        reuse_hash_distance=verification.reuse_hash_distance,
        operator_triage=verification.operator_triage,
    )


@dataclass(frozen=True)
class Screening:
    verdict: str
    checks: list[CheckResult]

    def as_json(self) -> list[dict]:
        return [
            {
                "name": c.name,
                "result": c.result,
                "reason_id": c.reason_id,
                "reason_en": c.reason_en,
                "details": c.details,
            }
            for c in self.checks
        ]


def screen(
    *,
    policy: ChannelPolicy,
    photos: list[PhotoFacts],
    latitude: float,
    longitude: float,
    boundary: dict,
    now: datetime,
    earlier_hashes: Callable[[int, int], Iterable[tuple[str, int]]],
    duplicates: CheckResult | None,
) -> Screening:
    """Run every check the policy asks for; ``earlier_hashes(phash, max_distance)``
    yields (tracking code, phash) of similar photos already on file."""
    checks: list[CheckResult] = []
    if policy.require_inside_city:
        checks.append(check_inside_city(latitude, longitude, boundary))
    for index, facts in enumerate(photos):
        suffix = f"[{index}]" if len(photos) > 1 else ""
        for result in (
            check_freshness(
                facts, now=now, max_age=policy.max_photo_age, when_missing=policy.missing_exif
            ),
            check_photo_location(
                facts,
                latitude=latitude,
                longitude=longitude,
                max_distance_m=policy.max_gps_distance_m,
                when_missing=policy.missing_gps,
            ),
            check_not_reused(
                facts.phash,
                earlier_hashes(facts.phash, policy.reuse_hash_distance),
                max_distance=policy.reuse_hash_distance,
            ),
        ):
            checks.append(_suffixed(result, suffix))
    if duplicates is not None:
        checks.append(duplicates)
    overall = combine(checks) if checks else "pass"
    if overall == "fail":
        verdict = REJECTED
    elif policy.operator_triage == "always" or (
        overall == "warn" and policy.operator_triage == "on_warning"
    ):
        verdict = NEEDS_TRIAGE
    else:
        verdict = AUTO_VERIFIED
    return Screening(verdict, checks)


def _suffixed(result: CheckResult, suffix: str) -> CheckResult:
    if not suffix:
        return result
    return CheckResult(
        result.name + suffix, result.result, result.reason_id, result.reason_en, result.details
    )
