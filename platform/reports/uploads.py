"""The one check of uploaded photos' count and size, before they are read.

The API's multipart upload, Open311's ``media`` and intake itself ask
:func:`check_uploads`, so every door refuses the same files with the same
codes (``TOO_MANY_PHOTOS``, ``TOO_LARGE``): the limit is the city's
``verification.max_upload_mb``, never more than the platform's
``KANAL_MAX_UPLOAD_BYTES``, and at most ``KANAL_MAX_UPLOADS`` photos.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kanal.errors import InvalidInput

MEGABYTE = 1024 * 1024


def max_photos() -> int:
    return settings.KANAL_MAX_UPLOADS


def max_photo_bytes(profile=None) -> int:
    from cityconfig.selectors import verification_policy

    city = verification_policy(profile).max_upload_mb * MEGABYTE
    return min(city, settings.KANAL_MAX_UPLOAD_BYTES)


def check_uploads(sizes: Sequence[int], profile=None) -> None:
    """Raise InvalidInput for too many photos, or for the first one over the limit
    (field ``photos[i]``)."""
    count = max_photos()
    if len(sizes) > count:
        raise InvalidInput(
            field="photos",
            code="TOO_MANY_PHOTOS",
            message=_("Maksimal %(count)s foto per laporan."),
            params={"count": count},
        )
    limit = max_photo_bytes(profile)
    for index, size in enumerate(sizes):
        if size > limit:
            raise InvalidInput(
                field=f"photos[{index}]",
                code="TOO_LARGE",
                message=_("Foto melebihi batas %(limit)s MB."),
                params={"limit": limit // MEGABYTE},
            )
