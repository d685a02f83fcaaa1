"""What the verification checks said about recent reports, per check.

The verification screen shows these counts beside the policy, so a Diskominfo
admin sees what a setting does before tightening it. Only what the stored
check results can honestly tell is counted: a photo without EXIF time or GPS
that was let through with a warning would have been refused under a ``fail``
setting (and the other way round), because the stored detail says the data
was missing; the verdict of other checks under other limits is not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from reports.models import Report

RESULTS = ("pass", "warn", "fail")
# "photo_fresh[1]" is the second photo's freshness check: counted with the first.
_SUFFIX = re.compile(r"\[\d+\]$")
# The check whose "missing" results each ``missing_*`` setting decides.
MISSING_SETTING_OF = {"photo_fresh": "missing_exif", "photo_location": "missing_gps"}


@dataclass
class CheckCounts:
    """One check's results over the period; ``missing_*`` count results whose
    data (EXIF time, GPS) was absent, the only ones the ``missing_*`` settings decide."""

    name: str
    passed: int = 0
    warned: int = 0
    failed: int = 0
    missing_warned: int = 0
    missing_failed: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.warned + self.failed


@dataclass
class VerdictStats:
    days: int
    reports: int = 0
    checks: dict[str, CheckCounts] = field(default_factory=dict)


def verdict_stats(days: int = 30, *, now=None) -> VerdictStats:
    """Per check, how many results of the active city's reports of the last
    ``days`` days passed, warned and failed (each photo's check counts once)."""
    now = now or timezone.now()
    stats = VerdictStats(days=days)
    rows = Report.objects.filter(created_at__gte=now - timedelta(days=days)).values_list(
        "checks", flat=True
    )
    for checks in rows.iterator(chunk_size=2000):
        stats.reports += 1
        for check in checks or []:
            if not isinstance(check, dict) or check.get("result") not in RESULTS:
                continue
            name = _SUFFIX.sub("", str(check.get("name", "")))
            counts = stats.checks.setdefault(name, CheckCounts(name))
            result = check["result"]
            if result == "pass":
                counts.passed += 1
            elif result == "warn":
                counts.warned += 1
            else:
                counts.failed += 1
            if (check.get("details") or {}).get("missing"):
                if result == "warn":
                    counts.missing_warned += 1
                elif result == "fail":
                    counts.missing_failed += 1
    return stats
