"""Decoding and inspecting an uploaded report photo, and making its public copy.

:func:`inspect_photo` turns untrusted upload bytes into :class:`PhotoFacts`
(format, size, hashes, capture time, GPS, camera) or raises
:class:`PhotoRejected` with a stable ``code`` and texts for the citizen.
:func:`public_copy` returns the bytes that may be shown publicly, without any
metadata (a photo's EXIF reveals where the citizen was and with which phone).

The intake target is a few milliseconds per photo, so the hot path (JPEG):

* checks byte size, then the pixel count from the SOF header before Pillow
  allocates anything (decompression bombs);
* hands Pillow the JPEG *without* its metadata segments, so corrupt EXIF, MPF
  or ICC data can never make a good photo undecodable, and reads EXIF
  separately, treating corrupt EXIF as missing;
* decodes once, in draft mode (DCT scaling to 1/8): enough for the perceptual
  hash, and a full pass over the entropy-coded data, which is what detects a
  truncated upload (``ImageFile.LOAD_TRUNCATED_IMAGES`` stays False);
* makes the public copy by dropping segments, never by re-encoding.

PNG (screenshots) and HEIF (iPhones) are rarer and are fully decoded.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import imagehash
import numpy as np
import piexif
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from PIL import Image, ImageFile, UnidentifiedImageError

from kanal.i18n import localized_number, render_in

try:  # HEIC is what iPhones shoot; without pillow-heif it is declined, not crashed on
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is a pinned dependency
    HEIF_SUPPORTED = False

MEGABYTE = 1024 * 1024  # limits are configured as max_upload_mb * MEGABYTE
HASH_DRAFT_SIZE = (64, 64)  # draft picks the largest DCT scaling still at least this big

# EXIF tags (TIFF/EXIF 2.32): IFD pointers, then the fields we read.
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
GPS_TIME, GPS_DATE, GPS_H_ERROR = 7, 29, 31

# Pillow's transpose for each EXIF orientation, as ImageOps.exif_transpose uses.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Formats people do upload but that we do not take, named in the error message.
_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"8BPS", "PSD"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}

# JPEG markers: SOFn carry the size; APPn/COM carry metadata.
SOI, EOI, SOS, COM = 0xD8, 0xD9, 0xDA, 0xFE
APP0, APP1, APP2, APP14 = 0xE0, 0xE1, 0xE2, 0xEE
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
# A marker inside entropy-coded data: 0xFF not followed by stuffing, RSTn or fill.
_MARKER_IN_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")

assert not ImageFile.LOAD_TRUNCATED_IMAGES, "truncated uploads must be rejected"


@dataclass(frozen=True)
class PhotoFacts:
    """What an accepted photo says about itself. ``width``/``height`` are as
    displayed (EXIF orientation applied); ``phash`` is taken of the upright image,
    so a re-upload that a messaging app turned upright still matches."""

    format: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    phash: int
    exif_present: bool
    taken_at: datetime | None
    taken_at_source: str
    gps: tuple[float, float] | None
    gps_accuracy_m: float | None
    camera: str
    orientation: int = 1


class PhotoRejected(Exception):
    """The upload itself is unacceptable; ``code`` is stable, the message is for
    people: an Indonesian source string marked for translation, with ``params``
    filled in when read (numbers in the reader's notation)."""

    def __init__(self, code: str, message: str | Promise, params: dict | None = None) -> None:
        self.code = code
        self.message = message
        self.params = params or {}
        super().__init__(code)

    def message_in(self, language: str) -> str:
        return render_in(language, self.message, self.params)


@dataclass(frozen=True)
class _Metadata:
    present: bool = False
    taken_at: datetime | None = None
    taken_at_source: str = "none"
    gps: tuple[float, float] | None = None
    gps_accuracy_m: float | None = None
    camera: str = ""
    orientation: int = 1


@dataclass(frozen=True)
class _JpegHeader:
    width: int
    height: int
    segments: tuple[tuple[int, int, int], ...]  # (marker, start, end) between SOI and SOS
    scan_start: int
    exif: bytes | None


# ---------------------------------------------------------------- messages


def _empty() -> PhotoRejected:
    return PhotoRejected("EMPTY", _("Berkas foto kosong (0 byte)."))


def _too_large(size: int, limit: int) -> PhotoRejected:
    return PhotoRejected(
        "TOO_LARGE",
        _("Foto %(size)s MB melebihi batas %(limit)s MB."),
        {
            "size": localized_number(size / MEGABYTE, 1),
            "limit": localized_number(limit / MEGABYTE, 1),
        },
    )


def _too_many_pixels(width: int, height: int, limit: int) -> PhotoRejected:
    return PhotoRejected(
        "TOO_MANY_PIXELS",
        _("Foto %(width)s × %(height)s piksel (%(megapixels)s MP) melebihi batas %(limit)s MP."),
        {
            "width": width,
            "height": height,
            "megapixels": localized_number(width * height / 1e6, 1),
            "limit": localized_number(limit / 1e6, 1),
        },
    )


def _unsupported(name: str) -> PhotoRejected:
    return PhotoRejected(
        "UNSUPPORTED_FORMAT",
        _("Format %(format)s tidak didukung; kirim foto JPEG, PNG atau HEIC."),
        {"format": name},
    )


def _not_an_image() -> PhotoRejected:
    return PhotoRejected(
        "NOT_AN_IMAGE", _("Berkas ini bukan foto; kirim foto JPEG, PNG atau HEIC.")
    )


def _damaged(fmt: str) -> PhotoRejected:
    return PhotoRejected(
        "NOT_AN_IMAGE",
        _("Foto %(format)s rusak dan tidak dapat dibaca; silakan ambil ulang foto."),
        {"format": fmt},
    )


def _amount_now(size: int) -> str:
    if size < 1024:
        return ngettext("%(count)s byte", "%(count)s byte", size) % {"count": size}
    if size < MEGABYTE:
        return f"{round(size / 1024)} KB"
    return f"{localized_number(size / MEGABYTE, 1)} MB"


#: An upload's size for people ("512 byte", "3 KB", "1,5 MB"), in the reader's language.
_amount = lazy(_amount_now, str)


def _truncated(fmt: str, size: int) -> PhotoRejected:
    return PhotoRejected(
        "TRUNCATED",
        _(
            "Foto %(format)s terpotong (unggahan tidak lengkap, hanya %(received)s diterima); "
            "silakan kirim ulang."
        ),
        {"format": fmt, "received": _amount(size)},
    )


# ---------------------------------------------------------------- format and size


def _sniff_format(data: bytes) -> str:
    """The format from the magic bytes: the file name and the client's content
    type are not trusted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[4:8] == b"ftyp":
        return _sniff_iso_media(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise _unsupported("WebP")
    for magic, name in _OTHER_FORMATS:
        if data.startswith(magic):
            raise _unsupported(name)
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        raise _unsupported("SVG")
    raise _not_an_image()


def _sniff_iso_media(data: bytes) -> str:
    """HEIF and AVIF (and MP4 video) share the ISO box format; the ftyp brands tell."""
    box_size = int.from_bytes(data[0:4], "big")
    box = data[8 : min(max(box_size, 16), 256)]
    brands = {box[i : i + 4] for i in range(0, len(box) - 3, 4)} - {b"\x00\x00\x00\x00"}
    if brands & _AVIF_BRANDS and not brands & (_HEIF_BRANDS - {b"mif1", b"msf1"}):
        raise _unsupported("AVIF")
    if brands & _HEIF_BRANDS:
        if not HEIF_SUPPORTED:  # pragma: no cover - see the import above
            raise _unsupported("HEIC")
        return "HEIF"
    raise _not_an_image()


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise _too_many_pixels(width, height, max_pixels)


@contextmanager
def _pillow_bomb_check(pixels: int) -> Iterator[None]:
    """Pillow warns above ``Image.MAX_IMAGE_PIXELS`` (89 MP) and refuses above twice
    that. Our own limit was checked first, so a city allowing 100 MP photos only
    silences the warning for that rare photo; the error still stops real bombs.
    (``catch_warnings`` is process-global, hence only on this rare path.)"""
    limit = Image.MAX_IMAGE_PIXELS
    if limit is None or pixels <= limit:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


# ---------------------------------------------------------------- JPEG structure


def _parse_jpeg_header(data: bytes) -> _JpegHeader:
    """Walk the marker segments from SOI to the first SOS (no pixel data is read):
    this yields the size for the bomb check, the EXIF payload and the layout
    that both the decoder input and the public copy are built from."""
    pos, end_of_data = 2, len(data)
    segments: list[tuple[int, int, int]] = []
    size: tuple[int, int] | None = None
    exif: bytes | None = None
    while True:
        marker, start, pos = _next_marker(data, pos)
        if marker in _STANDALONE:
            continue
        if marker == EOI:
            raise _damaged("JPEG")  # no image data at all
        if pos + 2 > end_of_data:
            raise _truncated("JPEG", end_of_data)
        end = pos + int.from_bytes(data[pos : pos + 2], "big")
        if end > end_of_data:
            raise _truncated("JPEG", end_of_data)
        if end < pos + 2:
            raise _damaged("JPEG")
        if marker == SOS:
            break
        if marker in _SOF and end >= pos + 7:
            width = int.from_bytes(data[pos + 5 : pos + 7], "big")
            size = (width, int.from_bytes(data[pos + 3 : pos + 5], "big"))
        elif marker == APP1 and exif is None and data[pos + 2 : pos + 8] == b"Exif\x00\x00":
            exif = data[pos + 2 : end]
        segments.append((marker, start, end))
        pos = end
    if size is None or 0 in size:
        raise _damaged("JPEG")
    return _JpegHeader(size[0], size[1], tuple(segments), start, exif)


def _next_marker(data: bytes, pos: int) -> tuple[int, int, int]:
    """The next marker from ``pos``: (marker, start, after). Like libjpeg, stray
    bytes before a marker and 0xFF fill bytes are skipped (and so not copied)."""
    pos = data.find(b"\xff", pos)
    if pos < 0:
        raise _truncated("JPEG", len(data))
    while pos < len(data) and data[pos] == 0xFF:
        pos += 1
    if pos >= len(data):
        raise _truncated("JPEG", len(data))
    return data[pos], pos - 1, pos + 1


def _is_metadata_segment(marker: int, payload: bytes) -> bool:
    """APPn and COM carry metadata, except the colour information a decoder
    needs: ICC profiles (APP2) and the Adobe colour transform (APP14)."""
    if marker == COM:
        return True
    if not APP0 <= marker <= 0xEF:
        return False
    if marker == APP2:
        return not payload.startswith(b"ICC_PROFILE\x00")
    if marker == APP14:
        return not payload.startswith(b"Adobe")
    return True


def _decoder_input(data: bytes, header: _JpegHeader) -> bytes:
    """The JPEG with tables, frame and scans only (plus APP14 Adobe, which sets the
    colour transform): all the draft decode needs, and no metadata for Pillow to
    trip over."""
    kept = [
        data[start:end]
        for marker, start, end in header.segments
        if marker != APP2 and not _is_metadata_segment(marker, data[start + 4 : end])
    ]
    return b"".join([b"\xff\xd8", *kept, memoryview(data)[header.scan_start :]])


def _scan_data(data: bytes, pos: int) -> list[bytes]:
    """The scans from the first SOS through EOI, copied byte for byte; metadata
    segments between progressive scans and anything after EOI (Samsung trailers,
    motion-photo videos, MPO second images, each with their own metadata) are
    dropped. The search for markers runs in C via ``re``."""
    pieces: list[bytes] = []
    keep_from = pos
    while True:
        marker = data[pos + 1]
        if marker == EOI:
            pieces.append(data[keep_from : pos + 2])
            return pieces
        if marker in _STANDALONE:
            after = pos + 2
        else:
            after = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
            if _is_metadata_segment(marker, data[pos + 4 : after]):
                pieces.append(data[keep_from:pos])
                keep_from = after
        found = _MARKER_IN_SCAN.search(data, after)
        if found is None:
            raise _truncated("JPEG", len(data))
        pos = found.start()


def _jfif_without_thumbnail(segment: bytes) -> bytes:
    """APP0 JFIF may embed a thumbnail; keep version, units and density only."""
    return b"\xff\xe0\x00\x10" + segment[4:16] + b"\x00\x00"


@lru_cache(maxsize=8)
def _orientation_segment(orientation: int) -> bytes:
    """A minimal APP1 EXIF holding only the Orientation tag, so the public copy
    is shown upright without the pixels being re-encoded."""
    payload = piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


def _public_jpeg(data: bytes, orientation: int) -> bytes:
    header = _parse_jpeg_header(data)
    parts = [b"\xff\xd8"]
    orientation_parts = [_orientation_segment(orientation)] if orientation != 1 else []
    for marker, start, end in header.segments:
        segment = data[start:end]
        if marker == APP0 and segment[4:9] == b"JFIF\x00" and len(segment) >= 16:
            parts.append(_jfif_without_thumbnail(segment))
        elif not _is_metadata_segment(marker, segment[4:]):
            parts.append(segment)
    # APP0 JFIF must come first; the orientation EXIF goes right after it.
    position = 2 if len(parts) > 1 and parts[1].startswith(b"\xff\xe0") else 1
    parts[position:position] = orientation_parts
    return b"".join(parts + _scan_data(data, header.scan_start))


# ---------------------------------------------------------------- decoding


def _open(data: bytes, fmt: str, size: tuple[int, int], upload_size: int) -> Image.Image:
    """Open and decode (JPEG: in draft mode), mapping every failure to a rejection."""
    try:
        with _pillow_bomb_check(size[0] * size[1]):
            image = Image.open(io.BytesIO(data), formats=[fmt])
            if fmt == "JPEG":
                image.draft("L", HASH_DRAFT_SIZE)
            image.load()
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(*size, 2 * (Image.MAX_IMAGE_PIXELS or 0)) from exc
    except UnidentifiedImageError as exc:  # the header parsed above, Pillow disagrees
        raise _damaged(_display_name(fmt)) from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, RuntimeError) as exc:
        raise _unreadable(fmt, upload_size, exc) from exc
    if image.mode in ("P", "PA") and image.palette is None:
        # A palette PNG without its PLTE chunk: Pillow loads it, then fails in
        # convert() (the hash) or save() (the public copy). Damaged, not a 500.
        raise _damaged(_display_name(fmt))
    return image


_TRUNCATION_HINTS = ("truncated", "end of file", "insufficient input data", "cannot read full")


def _unreadable(fmt: str, upload_size: int, exc: Exception) -> PhotoRejected:
    """Pillow and libheif only say "cut off" in their messages; anything else is damage."""
    if any(hint in str(exc).lower() for hint in _TRUNCATION_HINTS):
        return _truncated(_display_name(fmt), upload_size)
    return _damaged(_display_name(fmt))


def _display_name(fmt: str) -> str:
    return "HEIC" if fmt == "HEIF" else fmt


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24:
        raise _truncated("PNG", len(data))
    if data[12:16] != b"IHDR":
        raise _damaged("PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _heif_size(data: bytes) -> tuple[int, int]:
    """The primary image's size from the HEIF container, without decoding."""
    try:
        return pillow_heif.open_heif(io.BytesIO(data)).size
    # SyntaxError: libheif's "Unsupported feature" (e.g. an unknown box version)
    except (ValueError, RuntimeError, OSError, EOFError, IndexError, SyntaxError) as exc:
        raise _unreadable("HEIF", len(data), exc) from exc


def _decode(
    data: bytes, fmt: str, max_pixels: int
) -> tuple[Image.Image, tuple[int, int], bytes | None]:
    """Check the pixel count from the header, then decode.

    Returns the decoded (for JPEG: 1/8 scale) image, the stored size and the raw EXIF.
    """
    if fmt == "JPEG":
        header = _parse_jpeg_header(data)
        size = (header.width, header.height)
        _check_pixels(*size, max_pixels)
        image = _open(_decoder_input(data, header), fmt, size, len(data))
        # libjpeg forgives a scan that ends without EOI (it greys the rest), but the
        # public copy is built from the scans up to EOI: refuse here what public_copy
        # could not copy, instead of failing later inside the intake transaction.
        _scan_data(data, header.scan_start)
        return image, size, header.exif
    size = _png_size(data) if fmt == "PNG" else _heif_size(data)
    _check_pixels(*size, max_pixels)
    image = _open(data, fmt, size, len(data))
    return image, image.size, image.info.get("exif")


def _perceptual_hash(image: Image.Image) -> int:
    """imagehash.phash as a signed 64-bit integer, so it fits a PostgreSQL bigint."""
    bits = imagehash.phash(image).hash
    return int.from_bytes(np.packbits(bits).tobytes(), "big", signed=True)


# ---------------------------------------------------------------- EXIF


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable()).strip()


_EXIF_DATETIME = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


def _exif_datetime(value: Any) -> datetime | None:
    found = _EXIF_DATETIME.match(_text(value))
    if found is None:
        return None
    try:
        return datetime(*(int(part) for part in found.groups()))  # the phone's wall clock
    except ValueError:  # "0000:00:00 00:00:00" from phones without a clock fix
        return None


def _exif_offset(value: Any) -> tzinfo | None:
    found = _EXIF_OFFSET.fullmatch(_text(value))
    if found is None:
        return None
    sign, hours, minutes = found.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def _numbers(value: Any, count: int) -> list[float] | None:
    """Rational triples such as GPS degrees/minutes/seconds, if all finite and >= 0."""
    if not isinstance(value, tuple) or len(value) != count:
        return None
    numbers = [float(part) for part in value]
    if not all(math.isfinite(number) and number >= 0 for number in numbers):
        return None
    return numbers


def _gps_coordinate(value: Any, ref: Any, signs: dict[str, int], limit: float) -> float | None:
    parts = _numbers(value, 3)
    sign = signs.get(_text(ref).upper()[:1])
    # 60 is allowed: phones round 59.9999 seconds up
    if parts is None or sign is None or parts[1] > 60 or parts[2] > 60:
        return None
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    return sign * degrees if degrees <= limit else None


def _gps_position(gps: dict[int, Any]) -> tuple[float, float] | None:
    latitude = _gps_coordinate(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), {"N": 1, "S": -1}, 90)
    longitude = _gps_coordinate(gps.get(GPS_LON), gps.get(GPS_LON_REF), {"E": 1, "W": -1}, 180)
    if latitude is None or longitude is None:
        return None
    if latitude == 0 and longitude == 0:  # "null island": written by phones without a fix
        return None
    return (latitude, longitude)


def _gps_accuracy(gps: dict[int, Any]) -> float | None:
    value = gps.get(GPS_H_ERROR)
    if value is None:
        return None
    accuracy = float(value)
    return accuracy if math.isfinite(accuracy) and accuracy >= 0 else None


def _gps_datetime(gps: dict[int, Any]) -> datetime | None:
    date = _exif_datetime(f"{_text(gps.get(GPS_DATE))} 00:00:00")
    clock = _numbers(gps.get(GPS_TIME), 3)
    if date is None or clock is None or clock[0] >= 24 or clock[1] >= 60 or clock[2] >= 61:
        return None
    offset = timedelta(hours=clock[0], minutes=clock[1], seconds=clock[2])
    return (date + offset).replace(tzinfo=UTC)


def _capture_time(
    exif_ifd: dict[int, Any], gps: dict[int, Any], city_tz: ZoneInfo
) -> tuple[datetime | None, str]:
    """DateTimeOriginal is the phone's wall clock: with OffsetTimeOriginal it is
    exact; without, the city's zone is the best guess (a phone in Mataram runs on
    WITA). The GPS stamp is UTC by definition, the fallback."""
    local = _exif_datetime(exif_ifd.get(DATETIME_ORIGINAL))
    if local is not None:
        offset = _exif_offset(exif_ifd.get(OFFSET_TIME_ORIGINAL))
        if offset is not None:
            return local.replace(tzinfo=offset).astimezone(UTC), "exif_offset"
        return local.replace(tzinfo=city_tz).astimezone(UTC), "exif_city_zone"
    gps_time = _gps_datetime(gps)
    if gps_time is not None:
        return gps_time, "gps"
    return None, "none"


def _camera(exif: Image.Exif) -> str:
    make, model = _text(exif.get(MAKE)), _text(exif.get(MODEL))
    if make and model.lower().startswith(make.lower()):
        make = ""  # "Apple" + "Apple iPhone 13" style duplicates
    return " ".join(part for part in (make, model) if part)[:100]


def _read_metadata(raw: bytes | None, city_tz: ZoneInfo) -> _Metadata:
    """Parse EXIF with Pillow; anything corrupt counts as missing metadata, since
    the photo itself is still fine (Pillow may emit a "Corrupt EXIF" warning)."""
    if not raw:
        return _Metadata()
    try:
        exif = Image.Exif()
        exif.load(raw)
        if not len(exif):
            return _Metadata()
        exif_ifd, gps = exif.get_ifd(EXIF_IFD), exif.get_ifd(GPS_IFD)
        taken_at, source = _capture_time(exif_ifd, gps, city_tz)
        orientation = exif.get(ORIENTATION, 1)
        return _Metadata(
            present=True,
            taken_at=taken_at,
            taken_at_source=source,
            gps=_gps_position(gps),
            gps_accuracy_m=_gps_accuracy(gps),
            camera=_camera(exif),
            orientation=orientation if orientation in range(1, 9) else 1,
        )
    except (SyntaxError, ValueError, TypeError, KeyError, IndexError, OSError, ZeroDivisionError):
        return _Metadata()


# ---------------------------------------------------------------- public API


def inspect_photo(data: bytes, *, city_tz: ZoneInfo, max_bytes: int, max_pixels: int) -> PhotoFacts:
    """Decode and inspect an upload.

    ``city_tz`` interprets an EXIF capture time without offset; ``max_bytes``
    (use ``max_upload_mb * MEGABYTE``) and ``max_pixels`` bound the work done.
    Raises :class:`PhotoRejected` (EMPTY, TOO_LARGE, UNSUPPORTED_FORMAT,
    NOT_AN_IMAGE, TOO_MANY_PIXELS, TRUNCATED); metadata problems never raise.
    """
    if not data:
        raise _empty()
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    fmt = _sniff_format(data)
    image, (width, height), raw_exif = _decode(data, fmt, max_pixels)
    meta = _read_metadata(raw_exif, city_tz)
    if fmt == "HEIF":  # libheif already applied the rotation (irot/imir boxes)
        meta = replace(meta, orientation=1)
    if meta.orientation in (5, 6, 7, 8):
        width, height = height, width
    upright = image.transpose(_TRANSPOSE[meta.orientation]) if meta.orientation > 1 else image
    return PhotoFacts(
        format=fmt,
        width=width,
        height=height,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        phash=_perceptual_hash(upright),
        exif_present=meta.present,
        taken_at=meta.taken_at,
        taken_at_source=meta.taken_at_source,
        gps=meta.gps,
        gps_accuracy_m=meta.gps_accuracy_m,
        camera=meta.camera,
        orientation=meta.orientation,
    )


def public_copy(data: bytes, facts: PhotoFacts) -> bytes:
    """The bytes that may be shown publicly: no EXIF (time, GPS, camera serials),
    XMP, IPTC, comments or thumbnails; the photo stays upright.

    JPEG: metadata segments are dropped and the scans copied unchanged (no
    re-encoding: fast and lossless), with a minimal EXIF holding only the
    orientation when it is not 1. PNG is re-saved without text/eXIf chunks;
    HEIF is converted to JPEG (quality 85), which every browser shows.
    ``data`` must have passed :func:`inspect_photo` (which produced ``facts``).
    """
    if facts.format == "JPEG":
        return _public_jpeg(data, facts.orientation)
    with _pillow_bomb_check(facts.width * facts.height):
        image = Image.open(io.BytesIO(data), formats=[facts.format])
        image.load()
    # The orientation inspect_photo read (1 for corrupt EXIF, and for HEIF, which
    # libheif has already rotated): ImageOps.exif_transpose would re-parse the EXIF
    # and raise SyntaxError on a corrupt PNG eXIf chunk that inspection accepted.
    upright = image.transpose(_TRANSPOSE[facts.orientation]) if facts.orientation > 1 else image
    out = io.BytesIO()
    if facts.format == "PNG":
        upright.save(out, "PNG", icc_profile=image.info.get("icc_profile"))
    else:
        rgb = upright.convert("RGB")
        rgb.save(out, "JPEG", quality=85, icc_profile=image.info.get("icc_profile"))
    return out.getvalue()
