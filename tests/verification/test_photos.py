"""Inspecting uploads and making public copies, on real files from the sample factory.

Pure tests: no database, no mocks; every photo is a real JPEG/PNG/HEIC made by
``verification.samples`` or by Pillow.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zlib
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import piexif
import pytest
from PIL import Image, ImageOps
from PIL.PngImagePlugin import PngInfo

from verification.photos import MEGABYTE, PhotoFacts, PhotoRejected, inspect_photo, public_copy
from verification.samples import phone_photo, png_screenshot, recompressed

WITA = ZoneInfo("Asia/Makassar")  # Mataram
WIB = ZoneInfo("Asia/Jakarta")  # Pangkalpinang, Serang, Jakarta
MATARAM_CENTRE = (-8.5833, 116.1167)
TAKEN = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 WITA
LIMITS = {"max_bytes": 15 * MEGABYTE, "max_pixels": 40_000_000}


def inspect(data: bytes, city_tz: ZoneInfo = WITA, **limits: int) -> PhotoFacts:
    return inspect_photo(data, city_tz=city_tz, **{**LIMITS, **limits})


def rejection(data: bytes, **limits: int) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        inspect(data, **limits)
    return caught.value


@cache
def photo(seed: int = 1, **options) -> bytes:
    """A 1200x900 phone photo (smaller than the 3 MP default to keep tests quick)."""
    settings = {"taken_at": TAKEN, "gps": MATARAM_CENTRE, "width": 1200, "height": 900}
    return phone_photo(seed=seed, **{**settings, **options})


def pillow_file(fmt: str, **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, fmt, **options)
    return out.getvalue()


def segments(jpeg: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of each segment before the first scan, for assertions."""
    found, pos = [], 2
    while jpeg[pos + 1] != 0xDA:
        length = int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
        found.append((jpeg[pos + 1], jpeg[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    return found


def scan_data(jpeg: bytes) -> bytes:
    """Everything from the first SOS marker on: the entropy-coded image data."""
    pos = 2
    while jpeg[pos + 1] != 0xDA:
        pos += 2 + int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
    return jpeg[pos:]


def with_exif_payload(jpeg: bytes, payload: bytes) -> bytes:
    """The same JPEG with the bytes after "Exif\\0\\0" in its APP1 replaced (same length)."""
    start = jpeg.index(b"Exif\x00\x00") + 6
    length = int.from_bytes(jpeg[start - 8 : start - 6], "big") - 8
    payload = (payload * (length // len(payload) + 1))[:length]
    return jpeg[:start] + payload + jpeg[start + length :]


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` grey pixels: a
    decompression bomb in miniature (its zlib stream holds a few rows and never ends,
    so decoding it, if it ever started, stops as truncated)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    stream = zlib.compressobj()
    rows = stream.compress(b"\x00" * (width + 1) * 4) + stream.flush(zlib.Z_SYNC_FLUSH)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", rows)
        + png_chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- facts


def test_phone_photo_facts_come_from_its_exif() -> None:
    data = photo()
    facts = inspect(data)
    assert facts.format == "JPEG"
    assert (facts.width, facts.height) == (1200, 900)
    assert facts.size_bytes == len(data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert -(2**63) <= facts.phash < 2**63
    assert facts.exif_present
    assert facts.taken_at == TAKEN
    assert facts.taken_at_source == "exif_offset"
    assert facts.gps == pytest.approx(MATARAM_CENTRE, abs=1e-6)
    assert facts.gps_accuracy_m == pytest.approx(4.5)
    assert facts.camera == "Samsung Galaxy A54"
    assert facts.orientation == 1


def test_offset_in_exif_wins_over_the_city_zone() -> None:
    in_wib_city = inspect(photo(tz_offset="+08:00"), city_tz=WIB)
    assert in_wib_city.taken_at == TAKEN
    assert in_wib_city.taken_at_source == "exif_offset"


def test_same_wall_clock_without_offset_is_a_different_instant_in_wita_and_wib() -> None:
    data = photo(taken_at=datetime(2025, 3, 1, 10, 0), tz_offset=None, gps=None)
    in_mataram = inspect(data, city_tz=WITA)
    in_serang = inspect(data, city_tz=WIB)
    assert in_mataram.taken_at == datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    assert in_serang.taken_at == datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
    assert in_mataram.taken_at_source == in_serang.taken_at_source == "exif_city_zone"


def test_gps_time_stamp_is_the_fallback_without_datetime_original() -> None:
    data = photo(seed=2)
    exif = piexif.load(data)
    del exif["Exif"][piexif.ExifIFD.DateTimeOriginal]
    out = io.BytesIO()
    piexif.insert(piexif.dump(exif), data, out)
    facts = inspect(out.getvalue())
    assert facts.taken_at == TAKEN
    assert facts.taken_at_source == "gps"


def test_photo_without_exif_has_no_time_place_or_camera() -> None:
    facts = inspect(photo(exif=False))
    assert not facts.exif_present
    assert (facts.taken_at, facts.taken_at_source) == (None, "none")
    assert facts.gps is None
    assert facts.gps_accuracy_m is None
    assert facts.camera == ""


@pytest.mark.parametrize("gps", [(123.0, 116.1), (-8.58, 181.5), (0.0, 0.0)])
def test_impossible_gps_is_ignored_but_the_photo_is_accepted(gps: tuple[float, float]) -> None:
    facts = inspect(photo(gps=gps))
    assert facts.gps is None
    assert facts.taken_at == TAKEN


def test_rotated_photo_reports_displayed_size_and_hashes_upright() -> None:
    rotated = photo(orientation=6)
    facts = inspect(rotated)
    assert facts.orientation == 6
    assert (facts.width, facts.height) == (900, 1200)
    upright_copy = inspect(recompressed(rotated, scale=0.5))
    assert (upright_copy.width, upright_copy.height) == (450, 600)
    assert bin(facts.phash ^ upright_copy.phash).count("1") <= 6


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # "Corrupt EXIF data"
@pytest.mark.parametrize(
    ("garbage", "tiff_parses"),
    [
        (b"\x13\x37garbage\xff\x00", False),
        (b"MM\x00*\x7f\xff\xff\xf0", False),  # first IFD lies far beyond the end
        # 65535 junk entries, among them a GPS IFD pointer far beyond the end
        (b"II*\x00\x08\x00\x00\x00\xff\xff\x25\x88\x04\x00\x01\x00\x00\x00\xff\xff\xff\x7f", True),
    ],
    ids=["random-bytes", "ifd-out-of-range", "junk-ifd"],
)
def test_garbage_exif_counts_as_missing_metadata_not_as_a_bad_photo(
    garbage: bytes, tiff_parses: bool
) -> None:
    clean = inspect(photo(seed=3))
    facts = inspect(with_exif_payload(photo(seed=3), garbage))
    assert facts.format == "JPEG"
    assert facts.phash == clean.phash
    assert facts.exif_present is tiff_parses
    assert (facts.taken_at, facts.gps, facts.camera, facts.orientation) == (None, None, "", 1)


# ---------------------------------------------------------------- rejections


def test_empty_upload_is_rejected() -> None:
    assert rejection(b"").code == "EMPTY"


def test_upload_over_the_byte_limit_is_rejected_with_both_sizes() -> None:
    error = rejection(b"\xff\xd8\xff" + bytes(round(18.2 * MEGABYTE)))
    assert error.code == "TOO_LARGE"
    assert error.message_in("id") == "Foto 18,2 MB melebihi batas 15 MB."
    assert error.message_in("en") == "The photo is 18.2 MB, above the 15 MB limit."


def test_png_decompression_bomb_is_rejected_from_its_header() -> None:
    bomb = png_declaring(30_000, 30_000)
    assert len(bomb) < 1000
    with warnings.catch_warnings():
        # Pillow would warn or raise on opening it; we must never get that far.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        error = rejection(bomb)
    assert error.code == "TOO_MANY_PIXELS"
    assert "30000 × 30000" in error.message_in("id")
    assert "40 MP" in error.message_in("en")


def test_jpeg_declaring_a_huge_frame_is_rejected_before_decoding() -> None:
    data = bytearray(photo(exif=False))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 20_000, 20_000)
    error = rejection(bytes(data))
    assert error.code == "TOO_MANY_PIXELS"
    assert "400 MP" in error.message_in("en")


def test_city_allowing_more_than_pillows_limit_still_stops_pillows_bomb_error() -> None:
    error = rejection(png_declaring(20_000, 10_000), max_pixels=500_000_000)
    assert error.code == "TOO_MANY_PIXELS"


def test_photo_within_city_limit_but_over_pillows_warning_limit_raises_no_warning() -> None:
    """A city may allow 100 MP (Pillow warns above 89 MP); this 95 MP PNG is then
    opened without Pillow's warning and fails only for its missing pixel rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        error = rejection(png_declaring(10_000, 9_500), max_pixels=100_000_000)
    assert error.code == "TRUNCATED"


@pytest.mark.parametrize("keep", [0.5, 0.9, 300, -2])
def test_truncated_jpeg_is_rejected(keep: float) -> None:
    data = photo(seed=4)
    cut = round(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    error = rejection(data[:cut])
    assert error.code == "TRUNCATED"
    assert "kirim ulang" in error.message_in("id")


def test_truncated_png_is_rejected() -> None:
    data = png_screenshot(seed=1)
    assert rejection(data[: len(data) // 2]).code == "TRUNCATED"


def test_text_file_renamed_to_jpg_is_not_an_image() -> None:
    error = rejection(b"Jalan berlubang di depan pasar Cakranegara.\n")
    assert error.code == "NOT_AN_IMAGE"
    assert "JPEG, PNG atau HEIC" in error.message_in("id")


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "BMP", "TIFF", "PDF", "AVIF"])
def test_other_image_formats_are_declined_by_name(fmt: str) -> None:
    error = rejection(pillow_file(fmt))
    assert error.code == "UNSUPPORTED_FORMAT"
    assert {"WEBP": "WebP"}.get(fmt, fmt) in error.message_in("en")


def test_video_is_not_an_image() -> None:
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)
    assert rejection(mp4).code == "NOT_AN_IMAGE"


# ---------------------------------------------------------------- public copy


def test_public_copy_of_jpeg_has_no_metadata_and_identical_scans() -> None:
    data = photo(seed=5)
    copy = public_copy(data, inspect(data))
    assert scan_data(copy) == scan_data(data)
    assert [marker for marker, _ in segments(copy)] == [
        0xE0,
        0xDB,
        0xDB,
        0xC0,
        0xC4,
        0xC4,
        0xC4,
        0xC4,
    ]
    assert b"xmpmeta" not in copy
    assert copy.count(b"\xff\xd8") == 1  # the EXIF thumbnail (a JPEG of its own) is gone
    facts = inspect(copy)
    assert (facts.exif_present, facts.taken_at, facts.gps, facts.camera) == (False, None, None, "")
    with Image.open(io.BytesIO(copy)) as shown, Image.open(io.BytesIO(data)) as original:
        assert shown.tobytes() == original.tobytes()


def test_public_copy_keeps_orientation_and_nothing_else() -> None:
    data = photo(seed=6, orientation=6)
    copy = public_copy(data, inspect(data))
    assert scan_data(copy) == scan_data(data)
    with Image.open(io.BytesIO(copy)) as shown:
        exif = shown.getexif()
        assert dict(exif) == {piexif.ImageIFD.Orientation: 6}
        assert ImageOps.exif_transpose(shown).size == (900, 1200)
    facts = inspect(copy)
    assert (facts.orientation, facts.width, facts.height) == (6, 900, 1200)
    assert (facts.taken_at, facts.gps) == (None, None)


def test_public_copy_drops_data_after_the_end_of_image() -> None:
    data = photo(seed=7) + b"SEFH\x00GPS -8.58,116.10 motion photo video..."
    copy = public_copy(data, inspect(data))
    assert copy.endswith(b"\xff\xd9")
    assert b"SEFH" not in copy


def test_public_copy_of_progressive_jpeg_drops_comments_between_scans() -> None:
    out = io.BytesIO()
    Image.open(io.BytesIO(photo(seed=8))).save(out, "JPEG", progressive=True, quality=85)
    data = out.getvalue()
    second_scan = data.index(b"\xff\xda", data.index(b"\xff\xda") + 2)
    comment = b"\xff\xfe\x00\x16Lokasi: -8.58,116.10"
    with_comment = data[:second_scan] + comment + data[second_scan:]
    copy = public_copy(with_comment, inspect(with_comment))
    assert copy == data
    assert b"Lokasi" not in copy


def test_public_copy_of_png_drops_text_and_exif_chunks() -> None:
    screenshot = Image.open(io.BytesIO(png_screenshot(seed=2)))
    exif = Image.Exif()
    exif[piexif.ImageIFD.Orientation] = 3
    exif.get_ifd(0x8825)[piexif.GPSIFD.GPSLatitudeRef] = "S"
    out = io.BytesIO()
    text = PngInfo()
    text.add_text("Comment", "Screenshot at Jl. Pejanggik")
    screenshot.save(out, "PNG", pnginfo=text, exif=exif)
    data = out.getvalue()
    facts = inspect(data)
    assert facts.format == "PNG"
    assert facts.exif_present
    copy = public_copy(data, facts)
    with Image.open(io.BytesIO(copy)) as shown:
        assert shown.text == {}
        assert "exif" not in shown.info
        upright = screenshot.transpose(Image.Transpose.ROTATE_180).convert("RGB")
        assert shown.convert("RGB").tobytes() == upright.tobytes()


def test_heic_round_trip_gives_facts_and_a_jpeg_public_copy() -> None:
    with Image.open(io.BytesIO(photo(seed=9, width=640, height=480))) as source:
        out = io.BytesIO()
        source.save(out, "HEIF", quality=80, exif=source.info["exif"])
    heic = out.getvalue()
    facts = inspect(heic)
    assert facts.format == "HEIF"
    assert (facts.width, facts.height) == (640, 480)
    assert facts.taken_at == TAKEN
    assert facts.gps == pytest.approx(MATARAM_CENTRE, abs=1e-6)
    copy = public_copy(heic, facts)
    shown = inspect(copy)
    assert shown.format == "JPEG"
    assert (shown.exif_present, shown.taken_at, shown.gps) == (False, None, None)
    assert bin(facts.phash ^ shown.phash).count("1") <= 6


def test_truncated_heic_is_rejected() -> None:
    with Image.open(io.BytesIO(photo(seed=9, width=640, height=480))) as source:
        out = io.BytesIO()
        source.save(out, "HEIF", quality=80)
    heic = out.getvalue()
    assert rejection(heic[: len(heic) // 2]).code == "TRUNCATED"


def test_fresh_photo_of_three_megapixels_is_inspected(tmp_path) -> None:
    """The default factory size, written to disk and read back as an upload would be."""
    path = tmp_path / "IMG_20250301_100000.jpg"
    path.write_bytes(
        phone_photo(seed=10, taken_at=TAKEN - timedelta(minutes=5), gps=MATARAM_CENTRE)
    )
    facts = inspect(path.read_bytes())
    assert (facts.width, facts.height) == (2000, 1500)
    assert facts.taken_at == TAKEN - timedelta(minutes=5)
