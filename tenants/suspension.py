"""Suspending and resuming a city's service (never its data).

A suspension records why in ``City.status_reason``: ``"billing: …"`` when the
billing job made it, ``"manual: …"`` when vendor staff did. A payment lifts
only a billing suspension; a manual one stays until staff resume the city.
While suspended the city answers 503 except for emergency reports and
tracking (``kanal.middleware``, docs/billing.md). Archiving ends the service
for good (410 on every host) and still keeps the data.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kanal.errors import InvalidInput
from tenants.models import SUSPENSION_BILLING, SUSPENSION_MANUAL, City, CityStatus

logger = logging.getLogger(__name__)
REASON_MAX = City._meta.get_field("status_reason").max_length


def _reason(kind: str, note: str) -> str:
    return f"{kind}: {note}".strip()[:REASON_MAX]


def _locked(city: City) -> City:
    locked = City.objects.select_for_update().get(pk=city.pk)
    if locked.is_public:
        raise InvalidInput(
            code="PUBLIC_TENANT",
            message=_("Situs vendor tidak dapat ditangguhkan."),
        )
    return locked


def suspend_city(city: City, *, kind: str, note: str, actor: str) -> bool:
    """Suspend ``city`` (status → suspended, data untouched).

    ``kind`` is ``SUSPENSION_MANUAL`` or ``SUSPENSION_BILLING``. A manual
    suspension of a city already suspended for billing turns it into a manual
    one (so a later payment does not lift it). Returns whether the row changed.
    Raises InvalidInput for the public tenant or an archived city.
    """
    if kind not in {SUSPENSION_MANUAL, SUSPENSION_BILLING}:
        raise ValueError(f"unknown suspension kind {kind!r}")
    with transaction.atomic():
        locked = _locked(city)
        if locked.status == CityStatus.ARCHIVED:
            raise InvalidInput(
                code="CITY_ARCHIVED",
                message=_("%(city)s sudah diarsipkan."),
                params={"city": locked.name},
            )
        if locked.status == CityStatus.SUSPENDED and not (
            kind == SUSPENSION_MANUAL and locked.suspended_for_billing
        ):
            return False
        locked.status = CityStatus.SUSPENDED
        locked.status_reason = _reason(kind, note)
        locked.save(update_fields=["status", "status_reason", "updated_at"])
    logger.warning("city %s suspended by %s: %s", locked.slug, actor, locked.status_reason)
    city.status, city.status_reason = locked.status, locked.status_reason
    return True


def resume_city(city: City, *, note: str, actor: str) -> bool:
    """Vendor staff lift any suspension (billing or manual). Returns whether the
    row changed; an active or archived city is left as it is."""
    with transaction.atomic():
        locked = _locked(city)
        if locked.status != CityStatus.SUSPENDED:
            return False
        locked.status = CityStatus.ACTIVE
        locked.status_reason = _reason(SUSPENSION_MANUAL, f"dipulihkan oleh {actor}: {note}")
        locked.save(update_fields=["status", "status_reason", "updated_at"])
    logger.warning("city %s resumed by %s: %s", locked.slug, actor, note)
    city.status, city.status_reason = locked.status, locked.status_reason
    return True


def resume_after_payment(city: City, *, note: str) -> bool:
    """Lift a *billing* suspension once the city is paid up; a manual suspension
    (or an archived city) is left alone. Returns whether the row changed."""
    with transaction.atomic():
        locked = _locked(city)
        if not locked.suspended_for_billing:
            if locked.status == CityStatus.SUSPENDED:
                logger.info(
                    "city %s paid but stays suspended (manual: %s)",
                    locked.slug,
                    locked.status_reason,
                )
            return False
        locked.status = CityStatus.ACTIVE
        locked.status_reason = _reason(SUSPENSION_BILLING, note)
        locked.save(update_fields=["status", "status_reason", "updated_at"])
    logger.warning("city %s resumed after payment: %s", locked.slug, note)
    city.status, city.status_reason = locked.status, locked.status_reason
    return True


def archive_city(city: City, *, note: str, actor: str) -> bool:
    """Archive ``city``: it stops serving (every host answers 410 "no longer
    available", ``kanal.middleware``) but its schema and data stay, and so do
    its domains, so no other city can take its hosts by mistake. ``note`` is
    required. Returns whether the row changed (False if already archived).
    Raises InvalidInput for the public tenant or an empty reason."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            field="reason", code="REASON_REQUIRED", message=_("Isi alasan pengarsipan.")
        )
    with transaction.atomic():
        locked = _locked(city)
        if locked.status == CityStatus.ARCHIVED:
            return False
        locked.status = CityStatus.ARCHIVED
        locked.status_reason = _reason("archived", f"{actor}: {note}")
        locked.save(update_fields=["status", "status_reason", "updated_at"])
    logger.warning("city %s archived by %s: %s", locked.slug, actor, note)
    city.status, city.status_reason = locked.status, locked.status_reason
    return True
