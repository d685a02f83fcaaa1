"""A report's photos: inspecting uploads and storing them, for intake (report
photos) and for resolving (proof photos) alike."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile

from kanal.errors import InvalidInput
from reports.models import Photo, Report
from reports.selectors import phash_bands
from verification.photos import PhotoFacts, PhotoRejected, inspect_photo, public_copy


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str = ""


@dataclass(frozen=True)
class InspectedPhoto:
    upload: Upload
    facts: PhotoFacts


def inspect_uploads(photos: list[Upload], city_tz, verification) -> list[InspectedPhoto]:
    """Inspect each upload (format, limits, EXIF, hash) outside any transaction;
    the first refused one raises InvalidInput on ``photos[i]``."""
    inspected = []
    for index, upload in enumerate(photos):
        try:
            facts = inspect_photo(
                upload.data,
                city_tz=city_tz,
                max_bytes=verification.max_upload_mb * 1024 * 1024,
                max_pixels=verification.max_megapixels * 1_000_000,
            )
        except PhotoRejected as exc:
            raise InvalidInput(
                field=f"photos[{index}]", code=exc.code, message=exc.message, params=exc.params
            ) from exc
        inspected.append(InspectedPhoto(upload, facts))
    return inspected


def store_photo(report: Report, photo: InspectedPhoto, kind: str, position: int) -> list:
    """Save the private original and the stripped public copy; returns the two
    files so a caller whose transaction fails can delete them."""
    facts = photo.facts
    record_ = Photo(
        report=report,
        kind=kind,
        format=facts.format,
        width=facts.width,
        height=facts.height,
        size_bytes=facts.size_bytes,
        sha256=facts.sha256,
        phash=facts.phash,
        phash_bands=phash_bands(facts.phash),
        taken_at=facts.taken_at,
        gps_latitude=facts.gps[0] if facts.gps else None,
        gps_longitude=facts.gps[1] if facts.gps else None,
        metadata={
            "camera": facts.camera,
            "taken_at_source": facts.taken_at_source,
            "gps_accuracy_m": facts.gps_accuracy_m,
            "exif_present": facts.exif_present,
        },
        position=position,
    )
    record_.original.save("original", ContentFile(photo.upload.data), save=False)
    record_.public.save("public", ContentFile(public_copy(photo.upload.data, facts)), save=False)
    record_.save()
    return [record_.original, record_.public]
