"""Property-based tests of the code that reads untrusted input.

Whatever bytes, YAML or HTTP body arrives, the answer is either a result or
the module's own typed refusal, never another exception:

* photos (``verification.photos``): any bytes, and mutations of real phone
  photos, PNG screenshots and HEIC files (flipped bytes, cuts, spliced or
  rewritten segments and chunks) give ``PhotoFacts`` or ``PhotoRejected``;
  an accepted photo always gets a public copy, itself a decodable photo
  without EXIF, GPS, XMP or comments;
* city configs (``onboarding.loading.parse_config``): any text, and real
  configs with keys dropped, types changed or odd values put in, give a
  ``CityConfig`` or ``ConfigInvalid`` whose problems have a path and a message;
* ``POST /graphql/`` on a city host: any body, content type and multipart
  form gives status < 500, JSON, typed ``errors[].extensions.code`` without
  internals, and writes nothing when it is refused.

Every test is bounded (``max_examples``), derandomized (the same examples on
every run) and keeps no Hypothesis example database, so the file runs in well
under a minute and leaves no files behind. ``HYPOTHESIS_EXPLORE=1
HYPOTHESIS_FACTOR=20`` searches longer and at random.

Two gaps this file found in graphql/api/views.py (a word where ``map`` indexes
a list; a subscription sent over HTTP) are fixed; the ``views_gap_*`` helpers
recognise those requests, and the tests at the end keep them refused.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import tempfile
import zlib
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# Hypothesis keeps caches (constants, unicode data) in ./.hypothesis even without an
# example database; keep the checkout clean. Read at first use, i.e. after this line.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "kanal-hypothesis")
)

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from cityconfig.schema import CityConfig
from onboarding.loading import ConfigInvalid, parse_config
from verification.photos import MEGABYTE, PhotoFacts, PhotoRejected, inspect_photo, public_copy
from verification.samples import phone_photo, png_screenshot

pytestmark = [
    # Pillow warns about the corrupt EXIF the mutations make; the photos module ignores it.
    pytest.mark.filterwarnings("ignore::UserWarning:PIL"),
    # servestatic, once per test client (hundreds here) when collectstatic has not run
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ROOT = Path(__file__).resolve().parent.parent
BOUNDED = {
    "deadline": None,
    "database": None,  # no .hypothesis/ folder in the checkout
    "derandomize": not os.environ.get("HYPOTHESIS_EXPLORE"),  # same examples in CI
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,  # one test transaction for all examples
        HealthCheck.filter_too_much,
    ],
}


def examples(count: int) -> int:
    """``HYPOTHESIS_EXPLORE=1 HYPOTHESIS_FACTOR=20`` runs a longer, random search."""
    return count * int(os.environ.get("HYPOTHESIS_FACTOR", "1"))


# ====================================================================== photos

WITA = ZoneInfo("Asia/Makassar")
PHOTO_LIMITS = {"max_bytes": 2 * MEGABYTE, "max_pixels": 4_000_000}
REJECTION_CODES = {
    "EMPTY",
    "TOO_LARGE",
    "UNSUPPORTED_FORMAT",
    "NOT_AN_IMAGE",
    "TOO_MANY_PIXELS",
    "TRUNCATED",
}
TAKEN = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
MATARAM = (-8.5833, 116.1167)
ORIENTATION, EXIF_IFD, GPS_IFD = 0x0112, 0x8769, 0x8825
SOS = 0xDA


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        len(payload).to_bytes(4, "big")
        + kind
        + payload
        + zlib.crc32(kind + payload).to_bytes(4, "big")
    )


def _with_png_chunk(png: bytes, kind: bytes, payload: bytes) -> bytes:
    """``png`` with one more chunk, right before the first IDAT."""
    at = png.index(b"IDAT") - 4
    return png[:at] + _png_chunk(kind, payload) + png[at:]


@lru_cache(maxsize=1)
def photo_samples() -> tuple[bytes, ...]:
    """Small real uploads of every accepted kind, full of metadata to strip."""
    jpeg = phone_photo(seed=11, width=160, height=120, taken_at=TAKEN, gps=MATARAM)
    rotated = phone_photo(seed=12, width=128, height=96, taken_at=TAKEN, gps=MATARAM, orientation=6)
    bare = phone_photo(seed=13, width=96, height=64, taken_at=None, gps=None, exif=False)
    with Image.open(io.BytesIO(jpeg)) as image:
        out = io.BytesIO()
        image.save(out, "JPEG", progressive=True, quality=80, exif=image.info["exif"])
        progressive = out.getvalue()
        second_scan = progressive.index(b"\xff\xda", progressive.index(b"\xff\xda") + 2)
        comment = b"\xff\xfe\x00\x16Lokasi: -8.58,116.10"
        progressive = progressive[:second_scan] + comment + progressive[second_scan:]
        out = io.BytesIO()
        image.convert("RGB").save(out, "HEIF", quality=50, exif=image.info["exif"])
        heif = out.getvalue()
        exif = image.getexif()
        exif.get_ifd(EXIF_IFD), exif.get_ifd(GPS_IFD)  # loaded, so tobytes() writes them
    png = png_screenshot(seed=14, width=72, height=128)
    exif[ORIENTATION] = 3
    png_exif = _with_png_chunk(png, b"eXIf", exif.tobytes()[6:])  # without "Exif\0\0"
    with Image.open(io.BytesIO(png)) as screenshot:
        out = io.BytesIO()
        screenshot.convert("P").save(out, "PNG", transparency=0)
        palette = out.getvalue()
    trailer = jpeg + b"SEFH\x00GPS -8.58,116.10 motion photo video"
    return (jpeg, rotated, bare, progressive, trailer, png, png_exif, palette, heif)


def _jpeg_segments(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each marker segment between SOI and the first SOS."""
    found, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] != SOS:
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        found.append((pos, end))
        pos = end
    return found


def _png_chunks(data: bytes) -> list[tuple[int, int]]:
    found, pos = [], 8
    while pos + 12 <= len(data):
        end = pos + 12 + int.from_bytes(data[pos : pos + 4], "big")
        found.append((pos, min(end, len(data))))
        pos = end
    return found


def _pieces(data: bytes) -> list[tuple[int, int]]:
    if data.startswith(b"\xff\xd8"):
        return _jpeg_segments(data)
    if data.startswith(b"\x89PNG"):
        return _png_chunks(data)
    return []


@st.composite
def mutated_photos(draw) -> bytes:
    """A real sample, then one to four structural or byte-level mutations."""
    data = bytearray(draw(st.sampled_from(photo_samples())))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        near_header = st.integers(0, min(len(data) - 1, 4096))
        anywhere = st.integers(0, len(data) - 1)
        position = draw(st.one_of(near_header, anywhere))
        kind = draw(
            st.sampled_from(
                [
                    "flip",
                    "set",
                    "truncate",
                    "insert",
                    "delete",
                    "drop_piece",
                    "duplicate_piece",
                    "move_piece",
                    "length",
                    "payload",
                    "png_rewrite",
                    "marker",
                ]
            )
        )
        pieces = _pieces(bytes(data))
        if kind == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            data[position] = draw(st.sampled_from([0x00, 0xFF, 0xD8, 0xD9, 0xDA, 0xE1, 0x7F]))
        elif kind == "truncate":
            del data[position:]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del data[position : position + draw(st.integers(1, 256))]
        elif kind == "marker":  # a marker in the middle of anything, even the scans
            data[position:position] = bytes([0xFF, draw(st.integers(0, 255))])
        elif pieces:
            start, end = draw(st.sampled_from(pieces))
            piece = bytes(data[start:end])
            if kind == "drop_piece":
                del data[start:end]
            elif kind == "duplicate_piece":
                data[start:start] = piece
            elif kind == "move_piece":
                del data[start:end]
                other = min(draw(st.integers(0, len(data))), len(data))
                data[other:other] = piece
            elif kind == "length" and end - start >= 4:  # a lying length field
                at = start + (0 if data.startswith(b"\x89PNG") else 2)
                data[at : at + 2] = draw(st.integers(0, 0xFFFF)).to_bytes(2, "big")
            elif kind == "payload":
                head = 8 if data.startswith(b"\x89PNG") else 4
                data[start + head : end] = draw(st.binary(max_size=max(0, end - start - head)))
            elif kind == "png_rewrite" and data.startswith(b"\x89PNG") and end - start >= 12:
                # valid CRC, so Pillow reads past the chunk checks into the decoder
                chunk_type = draw(st.sampled_from([piece[4:8], b"IHDR", b"eXIf", b"acTL", b"iCCP"]))
                payload = bytearray(piece[8:-4])
                for _ in range(draw(st.integers(1, 3))):
                    if payload:
                        payload[draw(st.integers(0, len(payload) - 1))] = draw(st.integers(0, 255))
                data[start:end] = _png_chunk(chunk_type, bytes(payload))
    return bytes(data)


def any_upload() -> st.SearchStrategy[bytes]:
    magic = st.sampled_from(
        [
            b"",
            b"\xff\xd8\xff",
            b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00",
            b"\xff\xd8\xff\xc0\x00\x11\x08\xff\xff\xff\xff",
            b"\x89PNG\r\n\x1a\n",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
            b"\x00\x00\x00\x18ftypheic",
            b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00mif1heic",
            b"\x00\x00\x00\x18ftypmif1",
            b"RIFF\x00\x00\x00\x00WEBP",
            b"GIF89a",
            b"<svg",
        ]
    )
    return st.tuples(magic, st.binary(max_size=512)).map(b"".join)


def check_photo(data: bytes) -> None:
    """The property itself: facts and a clean public copy, or a typed refusal."""
    try:
        facts = inspect_photo(data, city_tz=WITA, **PHOTO_LIMITS)
    except PhotoRejected as refusal:
        assert refusal.code in REJECTION_CODES
        assert refusal.message_in("id") and refusal.message_in("en")
        return
    assert isinstance(facts, PhotoFacts)
    assert facts.format in {"JPEG", "PNG", "HEIF"}
    assert facts.width > 0 and facts.height > 0
    assert facts.size_bytes == len(data)
    # Intake writes the public copy inside its transaction: it must not fail.
    shown = public_copy(data, facts)
    with Image.open(io.BytesIO(shown)) as image:
        image.load()  # decodable in full, not only in draft mode
        exif = image.getexif()
        assert set(exif) <= {ORIENTATION}, dict(exif)
        assert not exif.get_ifd(GPS_IFD) and not exif.get_ifd(EXIF_IFD)
        assert not {"xmp", "XML:com.adobe.xmp", "comment", "photoshop"} & set(image.info)
        assert not getattr(image, "text", {}), image.text
        upright = ImageOps.exif_transpose(image)
        assert upright.size == (facts.width, facts.height)
    again = inspect_photo(shown, city_tz=WITA, **PHOTO_LIMITS)
    assert (again.taken_at, again.gps, again.gps_accuracy_m, again.camera) == (None, None, None, "")
    assert again.orientation == (facts.orientation if facts.format == "JPEG" else 1)


def test_the_photo_samples_are_accepted_and_stripped() -> None:
    """The starting points of the mutations are good photos with metadata to
    strip (else the mutations would only ever test refusals)."""
    facts = [inspect_photo(data, city_tz=WITA, **PHOTO_LIMITS) for data in photo_samples()]
    assert [f.format for f in facts] == ["JPEG"] * 5 + ["PNG"] * 3 + ["HEIF"]
    assert [f.gps is not None for f in facts] == [
        True,
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        True,
    ]
    assert [f.orientation for f in facts] == [1, 6, 1, 1, 1, 1, 3, 1, 1]
    for data in photo_samples():
        check_photo(data)


@settings(max_examples=examples(150), **BOUNDED)
@given(any_upload())
def test_any_bytes_give_facts_or_a_typed_refusal(data: bytes) -> None:
    check_photo(data)


@settings(max_examples=examples(400), **BOUNDED)
@given(mutated_photos())
def test_mutated_photos_give_facts_and_a_clean_copy_or_a_typed_refusal(data: bytes) -> None:
    check_photo(data)


def _palette_png_without_plte(*, transparency: bool) -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "PNG")
    png = out.getvalue()
    kept = [
        png[start:end] for start, end in _png_chunks(png) if png[start + 4 : start + 8] != b"PLTE"
    ]
    png = png[:8] + b"".join(kept)
    return _with_png_chunk(png, b"tRNS", b"\x00") if transparency else png


def _jpeg_marker_in_scan_without_eoi() -> bytes:
    jpeg = photo_samples()[0]
    scan = jpeg.index(b"\xff\xda")
    middle = scan + (len(jpeg) - scan) // 2
    return jpeg[:middle] + b"\xff\xe5\x00\x04\x00\x00" + jpeg[middle:-1]


def _heif_with_box_version(box: bytes) -> bytes:
    heif = photo_samples()[8]
    at = heif.index(box) + 4
    return heif[:at] + b"\xff" + heif[at + 1 :]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        # public_copy re-parsed the EXIF (ImageOps.exif_transpose): SyntaxError
        (
            "png, eXIf chunk not TIFF",
            lambda: _with_png_chunk(photo_samples()[5], b"eXIf", b"garbage!"),
            None,
        ),
        # Pillow loads a palette PNG without PLTE; convert() asserted in the hash,
        # save() raised UnboundLocalError in the copy
        (
            "png, palette without PLTE",
            lambda: _palette_png_without_plte(transparency=False),
            "NOT_AN_IMAGE",
        ),
        (
            "png, palette without PLTE, tRNS",
            lambda: _palette_png_without_plte(transparency=True),
            "NOT_AN_IMAGE",
        ),
        # libjpeg accepted it; public_copy raised PhotoRejected inside the intake transaction
        ("jpeg, APP5 in the scan and no EOI", _jpeg_marker_in_scan_without_eoi, "TRUNCATED"),
        # libheif: "Unsupported feature: Unsupported data version" as SyntaxError
        ("heic, infe box version 255", lambda: _heif_with_box_version(b"infe"), "NOT_AN_IMAGE"),
        ("heic, meta box version 255", lambda: _heif_with_box_version(b"meta"), "NOT_AN_IMAGE"),
    ],
)
def test_photos_that_broke_inspection_or_the_public_copy(name, data, code) -> None:
    """Found by the properties above; each raised something else than PhotoRejected."""
    data = data()
    check_photo(data)
    if code is None:
        inspect_photo(data, city_tz=WITA, **PHOTO_LIMITS)
    else:
        with pytest.raises(PhotoRejected) as refused:
            inspect_photo(data, city_tz=WITA, **PHOTO_LIMITS)
        assert refused.value.code == code


# ====================================================================== city configs

CONFIG_FILES = [
    ROOT / "tests" / "fixtures" / "kotacontoh.yaml",
    *sorted((ROOT / "tenant_configs").glob("*.yaml")),
]


@lru_cache(maxsize=1)
def config_samples() -> tuple[dict, ...]:
    """Real configs as data; the small test city first (it is the fastest to parse)."""
    return tuple(yaml.safe_load(path.read_text()) for path in CONFIG_FILES)


ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "\ufeff",
    "\u202e",
    "é",
    "🚧",
    "x" * 5000,
    "@kecamatan",
    "@nowhere",
    "wil-",
    "Asia/Jakarta",
    "Europe/Berlin",
    "../../etc/passwd",
    "posixrules",
    "25:00-26:00",
    "07:30-16:00",
    "0d",
    "999999d",
    "1e9m",
    "#zzzzzz",
    "https://",
    "http://x/{z}/{x}/{y}.png",
    "mataram.example.id",
    "-",
    "Polygon",
    "MultiPolygon",
    "null",
    "~",
    "2025-02-30",
]
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**63,
    -(2**64),
    10**400,
    0.5,
    -0.0,
    1e308,
    math.inf,
    -math.inf,
    math.nan,
    [],
    {},
    [[]],
    [[[[]]]],
    {"": None},
    {"x": 1},
    [None],
    [0, 0],
    [[0, 0], [1, 0], [1, 1], [0, 0]],
    [[[1e308, 0], [0, 1e308], [-1e308, 0], [1e308, 0]]],
    [[[math.nan, 0], [0, 1], [1, 1], [math.nan, 0]]],
    datetime(2025, 1, 1, tzinfo=UTC),
    datetime(2025, 1, 1).date(),
    b"\x00\xff",
    *ODD_STRINGS,
]


def _containers(data: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every dict and list inside ``data``."""
    found = []
    if isinstance(data, dict | list):
        found.append(path)
        items = data.items() if isinstance(data, dict) else enumerate(data)
        for key, value in items:
            found.extend(_containers(value, (*path, key)))
    return found


def _at(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


odd_values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=20),
    st.integers(),
    st.floats(),
    st.lists(st.sampled_from(ODD_STRINGS), max_size=3),
)


@st.composite
def mutated_configs(draw) -> dict:
    """A real config with one to five mutations at random places."""
    samples = config_samples()
    # mostly the small test city: the big ones take ~0.2 s per parse
    index = draw(st.one_of(st.just(0), st.just(0), st.just(0), st.integers(0, len(samples) - 1)))
    data = copy.deepcopy(samples[index])
    for _ in range(draw(st.integers(1, 5))):
        paths = _containers(data)
        path = draw(st.sampled_from(paths))
        container = _at(data, path)
        kind = draw(st.sampled_from(["drop", "odd", "retype", "unknown_key", "duplicate", "swap"]))
        if not container and kind != "unknown_key":
            kind = "odd"
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        key = draw(st.sampled_from(keys)) if keys else None
        if kind == "drop" and key is not None:
            del container[key]
        elif kind == "odd" and key is not None:
            container[key] = draw(odd_values)
        elif kind == "retype" and key is not None:
            value = container[key]
            container[key] = draw(
                st.sampled_from([[value], {"value": value}, str(value), None, len(str(value))])
            )
        elif kind == "unknown_key" and isinstance(container, dict):
            container[draw(st.sampled_from(["extra", "slug ", "Slug", "", "1", "\x00"]))] = 1
        elif kind == "duplicate" and isinstance(container, list) and container:
            container.append(copy.deepcopy(container[key]))
        elif kind == "swap" and len(keys) >= 2:
            other = draw(st.sampled_from(keys))
            container[key], container[other] = container[other], container[key]
        elif key is not None:
            container[key] = draw(odd_values)
    return data


YAML_PIECES = [
    "a: 1",
    "slug: kotacontoh",
    "- x",
    "- [1, 2",
    "{a: 1, a: 2}",
    "&a [1, 2]",
    "*a",
    "&b {k: *b}",
    "&c [*c]",
    "<<: *a",
    "<<: {x: 1}",
    "!!timestamp 2025-02-30",
    "!!timestamp x",
    "2001-02-30",
    "2025-13-01 10:00:00",
    "!!int x",
    "!!int 0x",
    "!!float x",
    "!!bool maybe",
    "!!binary AAA",
    "!!binary ===",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!omap [1, 2]",
    "!!pairs [a]",
    "!!str",
    "!!null x",
    "!!map [1]",
    "!!seq {a: 1}",
    "!!python/object:os.system ls",
    "!foo bar",
    "? [a, b]\n: 1",
    "? {a: 1}\n: 2",
    "---",
    "...",
    "%YAML 1.1",
    "%TAG ! tag:x,2000:",
    "'unterminated",
    '"\\x00"',
    '"\\ud800"',
    "\t- tab",
    ": :",
    "1e400",
    ".nan",
    "-.inf",
    "0o777",
    "0b1012",
    "12:30:00",
    "190:20:30",
    "[" * 200 + "]" * 200,
    "{a: " * 150 + "1" + "}" * 150,
]


@st.composite
def yaml_texts(draw) -> str:
    """Lines of YAML-ish pieces at random indentation: anchors, tags, merges..."""
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        indent = " " * draw(st.sampled_from([0, 0, 2, 4, 1]))
        key = draw(st.sampled_from(["", "", "k: ", "slug: ", "- ", "? "]))
        lines.append(indent + key + draw(st.sampled_from(YAML_PIECES)))
    return "\n".join(lines)


@st.composite
def mutated_config_texts(draw) -> str:
    """The test city's YAML file with lines duplicated, dropped, re-indented or cut."""
    lines = (ROOT / "tests" / "fixtures" / "kotacontoh.yaml").read_text().splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["dup", "drop", "indent", "cut", "piece", "chars"]))
        if kind == "dup":
            lines.insert(at, lines[at])
        elif kind == "drop" and len(lines) > 1:
            del lines[at]
        elif kind == "indent":
            lines[at] = " " * draw(st.integers(0, 5)) + lines[at].lstrip()
        elif kind == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        elif kind == "piece":
            indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
            lines.insert(
                at,
                indent
                + draw(st.sampled_from(["x: ", "- ", ""]))
                + draw(st.sampled_from(YAML_PIECES)),
            )
        else:
            column = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:column] + draw(st.text(max_size=3)) + lines[at][column:]
    return "\n".join(lines)


def check_config(text: str) -> CityConfig | None:
    try:
        config = parse_config(text, file="city.yaml")
    except ConfigInvalid as invalid:
        assert invalid.problems, "ConfigInvalid without problems"
        for problem in invalid.problems:
            assert isinstance(problem.path, str)
            assert isinstance(problem.message, str) and problem.message.strip()
            assert problem.file == "city.yaml"
            assert problem.line is None or problem.line >= 1
            str(problem)  # printable for the onboard command
        return None
    assert isinstance(config, CityConfig)
    return config


def _dump(data: Any, allow_unicode: bool) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=allow_unicode, sort_keys=False)
    except yaml.representer.RepresenterError:  # bytes with no str form etc.
        assume(False)
        raise


def test_the_config_samples_are_valid() -> None:
    for path in CONFIG_FILES:
        assert check_config(path.read_text()) is not None, path


@settings(max_examples=examples(200), **BOUNDED)
@given(st.one_of(st.text(max_size=300), yaml_texts()))
def test_any_yaml_text_gives_a_config_or_problems(text: str) -> None:
    check_config(text)


@settings(max_examples=examples(60), **BOUNDED)
@given(mutated_config_texts())
def test_edited_config_files_give_a_config_or_problems(text: str) -> None:
    check_config(text)


@settings(max_examples=examples(40), **BOUNDED)
@given(mutated_configs(), st.booleans())
def test_mutated_config_data_gives_a_config_or_problems(data: dict, allow_unicode: bool) -> None:
    check_config(_dump(data, allow_unicode))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [*x]",  # an alias inside its own anchor
        "&x {a: *x}",
        "slug: " + "[" * 5000 + "]" * 5000,  # nesting beyond Python's recursion limit
        "calendar: {days_off: [{date: 2025-02-30}]}",  # a timestamp that is no date
        "k: !!bool maybe",  # KeyError in PyYAML's constructor
        "slug: !!timestamp x",  # AttributeError
        "slug: !!int x",  # ValueError
        "a: &a [x, x, x, x, x, x, x, x]\n"  # "billion laughs": 8^8 nodes when walked naively
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 8)}]\n"
            for i in range(7)
        ),
    ],
)
def test_yaml_that_broke_the_loader_is_refused_with_a_problem(text: str) -> None:
    """These raised RecursionError or ValueError instead of ConfigInvalid (the
    nested aliases took exponential time in the line-number walk)."""
    with pytest.raises(ConfigInvalid) as caught:
        parse_config(text)
    assert all(problem.message for problem in caught.value.problems)


# ====================================================================== GraphQL over HTTP

INTERNALS = (
    "Traceback",
    'File "',
    "psycopg",
    "violates",
    "character varying",
    "Incorrect padding",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "RecursionError",
    "recursion",
    "KeyError",
    "TypeError",
    "ValueError",
    "AttributeError",
    "IntegrityError",
    "DataError",
    "ProgrammingError",
    "OperationalError",
    "django.",
    "strawberry.",
    "site-packages",
    "NoneType",
    "object has no attribute",
    "SELECT ",
    "INSERT INTO",
)
OPERATIONS = ROOT / "graphql" / "operations"
MASKED = "Terjadi kesalahan internal."  # api.schema: what MaskErrors puts over a crash


@lru_cache(maxsize=1)
def documents() -> tuple[str, ...]:
    from tests.api.conftest import document

    return tuple(document(path.stem) for path in sorted(OPERATIONS.glob("*.graphql")))


def submit_report_document() -> str:
    from tests.api.conftest import document

    return document("SubmitReport")


JSON_ODD_STRINGS = [
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udfffy",
    "\ufeff",
    "🚧",
    "'; DROP TABLE reports_report; --",
    "%s%s%n",
    "{",
    "$x",
    "knl_mataram_",
    "knl_pangkalpinang_abc",
    "AAAA-BBBB",
    "YXJyYXljb25uZWN0aW9uOjA=",  # a relay cursor
    "YXJyYXljb25uZWN0aW9uOi0x",  # cursor of offset -1
    "YXJyYXljb25uZWN0aW9uOjk5OTk5OTk5OTk5OTk5OTk5OTk5",
    "Y3Vyc29yOnh4",
    "!!!",
    "=",
    "0812-7777-0001",
    "+6281234567001",
    "jalan-rusak",
    "2025-02-30",
    "2025-01-01T00:00:00",
    "9999-12-31T23:59:59+14:00",
    "1e309",
    "x" * 3000,
]
json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(JSON_ODD_STRINGS),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(JSON_ODD_STRINGS)), children, max_size=4
        ),
    ),
    max_leaves=12,
)
VARIABLE_NAMES = [
    "phone",
    "code",
    "username",
    "password",
    "otpCode",
    "trackingCode",
    "input",
    "photos",
    "filter",
    "first",
    "after",
    "before",
    "last",
    "kind",
    "period",
    "start",
    "end",
    "latitude",
    "longitude",
    "radiusMeters",
    "lang",
    "days",
    "rating",
    "note",
    "decision",
]


@st.composite
def variables(draw) -> Any:
    if draw(st.booleans()):
        return draw(json_values)
    out: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(VARIABLE_NAMES), max_size=4, unique=True)):
        out[name] = draw(json_values)
    if draw(st.booleans()):
        out["input"] = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "categoryCode": st.sampled_from(["jalan-rusak", "sampah", "", "\u0000"])
                    | json_values,
                    "description": st.sampled_from(
                        ["Jalan berlubang dalam sekali di sini.", "\ud800"]
                    )
                    | json_values,
                    "latitude": st.sampled_from([-8.5837, 91.0, 1e308]) | json_values,
                    "longitude": st.sampled_from([116.1163, -181.0]) | json_values,
                    "address": json_values,
                    "channel": st.sampled_from(["app", "sms", "open311"]) | json_values,
                    "anonymous": json_values,
                    "idempotencyKey": json_values,
                },
            )
        )
    return out


def _nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    if kind == "object":
        return '{"a":' * depth + "1" + "}" * depth
    return "{ a " * depth + "}" * depth  # a GraphQL selection set


queries = st.one_of(
    st.sampled_from(documents()),
    st.sampled_from(documents()).map(lambda text: text[: len(text) // 2]),
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            "{",
            "{ __typename }",
            "query { appConfig { appName } }",
            'query { report(trackingCode: "\\u0000") { status } }',
            'query { report(trackingCode: "\\u{0}") { status } }',
            'query { report(trackingCode: "\\ud800") { status } }',
            'mutation { requestOtp(phone: "\\u0000") { sent } }',
            "subscription { reportEvents { status } }",
            'query { reports(first: 5, after: "!!!") { totalCount } }',
            'query { reports(first: 5, after: "YXJyYXljb25uZWN0aW9uOi0x") { totalCount } }',
            "query { reports(first: -1) { totalCount } }",
            "query { reports(first: 99999999999) { totalCount } }",
            "query { dashboard(days: 2147483647) { received } }",
            "query { nearbyReports(latitude: 1e308, longitude: -1e308, radiusMeters: 1e308)"
            " { status } }",
            "query { publishedRankings(limit: -5) { version } }",
            'query { opdRanking(period: {start: "2025-02-30", end: "x"}) { published } }',
            "query A { __typename } query B { __typename }",
            "fragment F on Query { ...F } query { ...F }",
            "query { " + "a: __typename " * 30 + "}",
            "query { " + " ".join(f"a{i}: __typename" for i in range(5000)) + " }",
            'query($x: String = "\\u0000") { report(trackingCode: $x) { status } }',
            "query { __schema { types { name } } }",
        ]
    ),
    st.sampled_from([50, 400, 1500, 20000]).map(lambda depth: "query " + _nested(depth, "graphql")),
    st.sampled_from([50, 400, 1500, 20000]).map(
        lambda depth: "query { report(trackingCode: " + _nested(depth, "list") + ") { status } }"
    ),
)


@st.composite
def graphql_objects(draw) -> Any:
    """A JSON request object with odd members: what a confused or hostile client sends."""
    body: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        body["query"] = draw(st.one_of(queries, queries, json_values))
    if draw(st.booleans()):
        body["variables"] = draw(variables())
    if draw(st.integers(0, 3)) == 0:
        body["operationName"] = draw(
            st.one_of(
                st.sampled_from(["A", "B", "SubmitReport", "\u0000", "\ud800", ""]), json_values
            )
        )
    if draw(st.integers(0, 5)) == 0:
        body["extensions"] = draw(json_values)
    if draw(st.integers(0, 7)) == 0:
        body[draw(st.text(max_size=5))] = draw(json_values)
    if draw(st.integers(0, 9)) == 0:
        return [body, body]  # batching
    return body


JSON_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/json; charset=utf-16",
    "application/json; charset=nonsense",
    "application/graphql",
    "application/graphql-response+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "multipart/mixed; boundary=graphql",
    "text/event-stream",
    "",
    "application/json\x00",
    "ápplication/json",
]


def _encode(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


@st.composite
def raw_bodies(draw) -> tuple[bytes, str]:
    """(body, content type) for a plain POST."""
    kind = draw(st.sampled_from(["bytes", "json", "object", "object", "object", "deep", "text"]))
    if kind == "bytes":
        body = draw(
            st.one_of(
                st.binary(max_size=300),
                st.sampled_from(
                    [
                        b"\xff\xfe{\x00}\x00",
                        b'{"query": "\xff"}',
                        b'{"query": "{ __typename }"}\xc3',
                        b"\xef\xbb\xbf{}",
                        b'{"query": "{ __typename }", "variables": {"a": NaN}}',
                        b'{"query": "{ __typename }", "variables": {"a": 1e99999}}',
                        b'{"query": "{ __typename }", "variables": {"a": "\\ud800"}}',
                        b'{"query": "{ __typename }", "variables": {"\\u0000": 1}}',
                        b'{"query": "{ __typename }", "query": 5}',
                        b"[]",
                        b"[[]]",
                        b"null",
                        b"5",
                        b'"query"',
                        b"{",
                    ]
                ),
            )
        )
    elif kind == "json":
        body = _encode(draw(json_values))
    elif kind == "object":
        body = _encode(draw(graphql_objects()))
    elif kind == "deep":
        depth = draw(st.sampled_from([100, 900, 1100, 5000, 100_000]))
        shape = draw(st.sampled_from(["list", "object"]))
        nested = _nested(depth, shape)
        body = draw(
            st.sampled_from(
                [
                    nested,
                    '{"query": "{ __typename }", "variables": {"x": ' + nested + "}}",
                    '{"query": "query($x: JSON) { __typename }", "variables": ' + nested + "}",
                    '{"query": ' + nested + "}",
                ]
            )
        ).encode()
    else:
        body = draw(st.text(max_size=100)).encode("utf-8", "surrogatepass")
    content_type = draw(st.one_of(st.just("application/json"), st.sampled_from(JSON_TYPES)))
    return body, content_type


def _raw(text: str) -> bytes:
    """Text as a client may send it: lone surrogates become invalid UTF-8 bytes."""
    return text.encode("utf-8", "surrogatepass")


MAP_PATHS = [
    "variables.photos.0",
    "variables.photos",
    "variables.input",
    "variables.input.0",
    "variables",
    "variables.x.y.z",
    "query",
    "0.variables.photos.0",
    "variables.photos.-1",
    "variables.photos.99",
    "variables.photos.x",
    "",
    ".",
    "..",
]


@st.composite
def multipart_forms(draw) -> dict:
    """A multipart form following (or not) the GraphQL multipart request spec."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    form: dict[str, Any] = {}
    if draw(st.integers(0, 5)):
        operations = draw(st.one_of(graphql_objects(), json_values))
        if isinstance(operations, dict) and draw(st.booleans()):
            operations.setdefault("query", submit_report_document())
            operations["variables"] = draw(
                st.sampled_from(
                    [
                        {"photos": [None]},
                        {"photos": None},
                        {"photos": "x"},
                        {"photos": {}},
                        {"input": {}, "photos": [None, None]},
                        {},
                        None,
                        [],
                        "x",
                    ]
                )
            )
        form["operations"] = draw(
            st.one_of(
                st.just(json.dumps(operations)),
                st.sampled_from(["", "{", "null", "[]", "\u0000"]),
                st.sampled_from([300, 600, 800, 950, 5000]).map(
                    lambda depth: (
                        '{"query": "{ __typename }", "variables": {"photos": '
                        + _nested(depth, "list")
                        + "}}"
                    )
                ),
                st.sampled_from(['{"query": "\ud800"}', "\ud800", "\udfff{}"]).map(_raw),
            )
        )
    if draw(st.integers(0, 5)):
        mapping = draw(
            st.one_of(
                st.dictionaries(
                    st.sampled_from(["0", "1", "2", "", "x"]),
                    st.one_of(st.lists(st.sampled_from(MAP_PATHS), max_size=3), json_values),
                    max_size=3,
                ),
                json_values,
            )
        )
        form["map"] = draw(
            st.one_of(
                st.just(json.dumps(mapping)),
                st.sampled_from(["", "{", "[", "\ud800", '{"0": ["\ud800"]}']).map(_raw),
            )
        )
    for name in draw(st.lists(st.sampled_from(["0", "1", "2", "x"]), max_size=3, unique=True)):
        content = draw(st.sampled_from([b"", b"not a photo", photo_samples()[2]]))
        form[name] = SimpleUploadedFile(f"{name}.jpg", content, content_type="image/jpeg")
    if draw(st.integers(0, 4)) == 0:
        form[draw(st.sampled_from(["query", "variables", "operationName", "extra"]))] = _raw(
            draw(st.text(max_size=20))
        )
    return form


HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_AUTHORIZATION": st.sampled_from(
            [
                "Bearer ",
                "Bearer knl_mataram_x",
                "Bearer knl_pangkalpinang_x",
                "Bearer knl__",
                "Bearer \u00e9",
                "Basic YTpi",
                "Bearer",
                "x" * 2000,
            ]
        ),
        "HTTP_ACCEPT": st.sampled_from(
            ["application/json", "text/event-stream", "multipart/mixed", "text/html", "*/*"]
        ),
        "HTTP_ACCEPT_LANGUAGE": st.sampled_from(["id", "en", "xx", "en-US,en;q=0.9", ""]),
    },
)


def assert_clean_refusal(response, label: str) -> dict | list:
    """The property of every answer on /graphql/, whatever was sent."""
    assert response.status_code < 500, (label, response.status_code, response.content[:800])
    assert response["Content-Type"].startswith("application/json"), (
        label,
        response["Content-Type"],
    )
    payload = json.loads(response.content)
    assert isinstance(payload, dict), (label, payload)
    errors = payload.get("errors") or []
    assert isinstance(errors, list), (label, payload)
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str) and code, (label, error)
        assert code != "INTERNAL_ERROR", (label, error)  # an unexpected exception
        message = error.get("message")
        assert isinstance(message, str) and message, (label, error)
        assert message != MASKED, (label, error)  # an unexpected exception, masked
        leaked = [word for word in INTERNALS if word in message]
        assert not leaked, (label, leaked, error)
    return payload


def _payload_errors(payload: dict) -> bool:
    """Did any mutation payload in ``data`` answer with its own ``errors``?"""
    data = payload.get("data")
    if not isinstance(data, dict):
        return False
    return any(isinstance(value, dict) and value.get("errors") for value in data.values())


@pytest.fixture
def mataram(world, settings):
    """Mataram with a citizen and one report, the public query cache switched on
    (production has it on, and it parses the body first)."""
    from django_tenants.utils import schema_context

    settings.KANAL_PUBLIC_QUERY_CACHE_SECONDS = 30
    settings.KANAL_OTP_SENDER = "people.otp.MemorySender"
    city = world("mataram")
    city.submit()
    from django.db import connection

    connection.set_schema_to_public()

    def written() -> tuple[int, int, int]:
        from notifications.models import OutboxMessage
        from people.models import Citizen
        from reports.models import Report

        with schema_context(city.city.schema_name):
            return Report.objects.count(), OutboxMessage.objects.count(), Citizen.objects.count()

    return written


def _send(client, label: str, written, send) -> None:
    before = written()
    response = send()
    payload = assert_clean_refusal(response, label)
    if response.status_code >= 400 or payload.get("errors") or _payload_errors(payload):
        assert written()[0] == before[0], (label, "a refused request wrote a report")


def views_gap_subscription(request: Any) -> bool:
    """A subscription sent over HTTP (``test_a_subscription_over_http_is_refused``):
    it works only over WebSocket, and is refused as SUBSCRIPTION_OVER_HTTP."""
    from graphql.error import GraphQLError
    from graphql.utilities import get_operation_ast

    from graphql import OperationType, parse

    if isinstance(request, list):
        return any(views_gap_subscription(item) for item in request if isinstance(item, dict))
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        return False
    name = request.get("operationName")
    try:
        operation = get_operation_ast(
            parse(request["query"]), name if isinstance(name, str) else None
        )
    except (GraphQLError, RecursionError):
        return False
    return operation is not None and operation.operation == OperationType.SUBSCRIPTION


def _json_or_none(content: Any) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError, TypeError):
        return None


@pytest.mark.django_db
@settings(max_examples=examples(180), **BOUNDED)
@given(body=raw_bodies(), headers=HEADERS)
def test_any_post_body_gets_a_typed_json_answer(mataram, body, headers) -> None:
    from django.test import Client

    content, content_type = body
    client = Client(HTTP_HOST="mataram.localhost")
    _send(
        client,
        repr((content[:300], content_type, headers)),
        mataram,
        lambda: client.generic("POST", "/graphql/", content, content_type=content_type, **headers),
    )


def views_gap_map_into_list(form: dict) -> bool:
    """Known gap, pinned by ``test_map_path_with_a_word_into_a_list_is_refused``:
    graphql/api/views.py turns TypeError/AttributeError/IndexError from strawberry's
    ``replace_placeholders_with_files`` into INVALID_MULTIPART, but not the
    ValueError of a word where ``map`` indexes a list (``int("variables")``)."""
    from strawberry.file_uploads.utils import replace_placeholders_with_files

    try:
        operations = json.loads(form.get("operations", "{}"))
        mapping = json.loads(form.get("map", "{}"))
        files = {name: value for name, value in form.items() if hasattr(value, "read")}
        replace_placeholders_with_files(operations, mapping, files)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    except ValueError:
        return True
    except Exception:
        return False
    return False


@pytest.mark.django_db
@settings(max_examples=examples(100), **BOUNDED)
@given(form=multipart_forms(), headers=HEADERS)
def test_any_multipart_form_gets_a_typed_json_answer(mataram, form, headers) -> None:
    from django.test import Client

    client = Client(HTTP_HOST="mataram.localhost")
    label = repr(
        {key: "<file>" if hasattr(value, "read") else value for key, value in form.items()}
    )
    _send(client, label[:1500], mataram, lambda: client.post("/graphql/", form, **headers))


@pytest.mark.django_db
@settings(max_examples=examples(60), **BOUNDED)
@given(
    params=st.dictionaries(
        st.sampled_from(["query", "variables", "operationName", "extensions", "x"]),
        st.one_of(queries, st.builds(json.dumps, json_values), st.text(max_size=30)),
        max_size=4,
    )
)
def test_any_get_query_string_gets_a_typed_json_answer(mataram, params) -> None:
    from django.test import Client

    client = Client(HTTP_HOST="mataram.localhost")
    params = {key: value.encode("utf-8", "surrogatepass") for key, value in params.items()}
    _send(client, repr(params)[:1500], mataram, lambda: client.get("/graphql/", params))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "{}",
        "mutation {}",
        "{ reports { edges {} } }",
        "{ ...Unknown }",
        "{ appConfig { ...Unknown } }",
    ],
)
def test_empty_selection_sets_and_unknown_fragments_are_validation_errors(mataram, query) -> None:
    """strawberry's depth limiter raised ValueError / KeyError on these: INTERNAL_ERROR
    with "max() arg is an empty sequence" or "'Unknown'" as the message (api.schema)."""
    from django.test import Client

    response = Client(HTTP_HOST="mataram.localhost").post(
        "/graphql/", json.dumps({"query": query}), content_type="application/json"
    )
    payload = assert_clean_refusal(response, query)
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["body", "variables"])
def test_json_nested_past_the_recursion_limit_is_refused_with_the_cache_on(mataram, where) -> None:
    """The public cache parsed the body first and let RecursionError through (a 500)."""
    from django.test import Client

    nested = _nested(5000, "list")
    body = (
        nested
        if where == "body"
        else '{"query": "{ __typename }", "variables": {"x": ' + nested + "}}"
    )
    response = Client(HTTP_HOST="mataram.localhost").post(
        "/graphql/", body, content_type="application/json"
    )
    payload = assert_clean_refusal(response, where)
    assert response.status_code == 400
    assert payload["errors"][0]["extensions"]["code"] == "INVALID_JSON"


@pytest.mark.django_db
def test_map_path_with_a_word_into_a_list_is_refused(mataram) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    form = {
        "operations": json.dumps(
            {"query": submit_report_document(), "variables": {"photos": [None]}}
        ),
        "map": json.dumps({"0": ["variables.photos.first"]}),
        "0": SimpleUploadedFile("0.jpg", photo_samples()[2], content_type="image/jpeg"),
    }
    assert views_gap_map_into_list(form)
    response = Client(HTTP_HOST="mataram.localhost").post("/graphql/", form)
    payload = assert_clean_refusal(response, "map into a list")
    assert response.status_code == 400
    assert payload["errors"][0]["extensions"]["code"] == "INVALID_MULTIPART"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "get"])
def test_a_subscription_over_http_is_refused(mataram, method) -> None:
    from django.test import Client

    query = "subscription { reportEvents { status } }"
    assert views_gap_subscription({"query": query})
    client = Client(HTTP_HOST="mataram.localhost")
    if method == "post":
        response = client.post(
            "/graphql/", json.dumps({"query": query}), content_type="application/json"
        )
    else:
        response = client.get("/graphql/", {"query": query})
    assert_clean_refusal(response, "subscription over HTTP")
    assert 400 <= response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("photos", [["0"], [{}], [[]], [0]])
def test_photos_that_are_not_files_are_refused_as_such(mataram, photos) -> None:
    """Found by tests/api/test_schemathesis.py: the Upload scalar takes any JSON
    value, and submitReport crashed on it (AttributeError: no .size)."""
    from django.test import Client

    variables = {
        "input": {
            "categoryCode": "jalan-rusak",
            "description": "Jalan berlubang cukup dalam di depan pasar.",
            "latitude": -8.5837,
            "longitude": 116.1163,
        },
        "photos": photos,
    }
    before = mataram()
    response = Client(HTTP_HOST="mataram.localhost").post(
        "/graphql/",
        json.dumps({"query": submit_report_document(), "variables": variables}),
        content_type="application/json",
    )
    payload = assert_clean_refusal(response, repr(photos))
    assert payload["data"]["submitReport"]["errors"][0]["code"] == "NOT_A_FILE"
    assert mataram() == before
