"""Proof photos of resolved work, and moderators' blurring of public copies."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFilter

from cityconfig.selectors import city_profile, verification_policy
from kanal.errors import InvalidInput
from kanal.i18n import lazy_pick
from reports.models import Photo, PhotoKind, Report
from reports.photos import InspectedPhoto, Upload, inspect_uploads, store_photo
from verification.checks import check_freshness, check_photo_location
from verification.pipeline import policy_for


def store_proof(report: Report, uploads: list[Upload], kind: str = PhotoKind.PROOF) -> list[dict]:
    """Inspect and check proof photos (or a field survey's photos, ``kind``) like
    report photos: fresh and taken at the report's location; refuse any that fails."""
    profile = city_profile()
    verification = verification_policy(profile)
    policy = policy_for(verification, "app", category_photo_required=None)
    inspected: list[InspectedPhoto] = inspect_uploads(uploads, profile.zone, verification)
    results = []
    now = timezone.now()
    for index, photo in enumerate(inspected):
        for check in (
            check_freshness(
                photo.facts, now=now, max_age=policy.max_photo_age, when_missing=policy.missing_exif
            ),
            check_photo_location(
                photo.facts,
                latitude=report.latitude,
                longitude=report.longitude,
                max_distance_m=policy.max_gps_distance_m,
                when_missing=policy.missing_gps,
            ),
        ):
            if check.result == "fail":
                raise InvalidInput(
                    field=f"photos[{index}]",
                    code="PROOF_CHECK_FAILED",
                    message=lazy_pick(check.reason_id, check.reason_en),
                    details={"check": check.name, **check.details},
                )
            results.append(
                {"name": check.name, "result": check.result, "reason_id": check.reason_id}
            )
    start = report.photos.filter(kind=kind).count()
    for offset, photo in enumerate(inspected):
        store_photo(report, photo, kind, start + offset)
    return results


def blur_public_copy(photo: Photo, box: dict) -> None:
    """Blur ``box`` ({x, y, w, h} as fractions of the image) in the public copy."""
    try:
        x, y, w, h = (float(box[k]) for k in ("x", "y", "w", "h"))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            field="box",
            code="INVALID_BOX",
            message=_("Kotak harus berisi x, y, w, h."),
        ) from exc
    if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x and 0 < h <= 1 - y):
        raise InvalidInput(
            field="box",
            code="INVALID_BOX",
            message=_("Kotak harus berada di dalam foto (pecahan 0–1)."),
        )
    with photo.public.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    image = image.convert("RGB")
    left, top = int(x * image.width), int(y * image.height)
    right, bottom = int((x + w) * image.width), int((y + h) * image.height)
    region = image.crop((left, top, right, bottom))
    radius = max(8, (right - left) // 8)
    image.paste(region.filter(ImageFilter.GaussianBlur(radius)), (left, top))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    old_name = photo.public.name
    photo.public.save("public", ContentFile(out.getvalue()), save=False)
    photo.redactions = [*photo.redactions, {"x": x, "y": y, "w": w, "h": h}]
    photo.save(update_fields=["public", "redactions"])
    if old_name != photo.public.name:
        # Only once the new name is committed: a rolled-back blur keeps the old copy.
        storage = photo.public.storage
        transaction.on_commit(lambda: storage.delete(old_name))
