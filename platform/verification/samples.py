"""Realistic synthetic phone photos for tests, demo data and benchmarks.

Random noise would make every perceptual hash look alike to the DCT and would
compress unlike a photo, so each ``seed`` draws a street scene instead: a sky
and road with gradients, buildings with window grids, signboards with
text-like stripes, trees and a pothole, plus a little sensor noise. Different
seeds move the large shapes around (different hashes); a resized and
recompressed copy of the same seed keeps them (near-identical hash).

The EXIF written by :func:`phone_photo` mirrors what Android cameras write:
local ``DateTimeOriginal`` with ``OffsetTimeOriginal``, a GPS IFD with
rational degrees, refs, UTC date/time stamps and horizontal accuracy, an IFD1
thumbnail and an XMP packet, so metadata stripping is tested on realistic input.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

import piexif
from PIL import Image, ImageChops, ImageDraw, ImageOps, PngImagePlugin

Color = tuple[int, int, int]

_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="%s" exif:GPSLongitude="%s" exif:DateTimeOriginal="%s"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def _jitter(rng: random.Random, color: Color, spread: int) -> Color:
    r, g, b = (max(0, min(255, c + rng.randint(-spread, spread))) for c in color)
    return (r, g, b)


def _gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    """A vertical colour gradient: coloured as a one-pixel column, then stretched,
    because resizing and colouring a full 3 MP ramp costs more than the whole photo."""
    column = Image.linear_gradient("L").resize((1, size[1]), Image.Resampling.BILINEAR)
    return ImageOps.colorize(column, black=top, white=bottom).resize(size, Image.Resampling.NEAREST)


def _draw_stripes(draw: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, ...]) -> None:
    """Rows of short dark bars that read like lettering on a shop sign."""
    x0, y0, x1, y1 = box
    line_height = max(6, (y1 - y0) // rng.randint(3, 5))
    ink = _jitter(rng, (30, 30, 40), 25)
    for y in range(y0 + line_height // 2, y1 - line_height // 2, line_height):
        x = x0 + line_height // 2
        while x < x1 - line_height:
            word = rng.randint(line_height // 2, line_height * 3)
            draw.rectangle((x, y, min(x + word, x1 - line_height // 2), y + line_height // 2), ink)
            x += word + line_height // 2


def _draw_building(
    draw: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int]
) -> None:
    x0, y0, x1, y1 = box
    wall = _jitter(rng, rng.choice([(200, 190, 170), (120, 110, 100), (230, 230, 225)]), 35)
    draw.rectangle(box, fill=wall)
    cell = max(12, (x1 - x0) // rng.randint(4, 8))
    glass = _jitter(rng, (60, 80, 100), 30)
    for wx in range(x0 + cell // 3, x1 - cell // 2, cell):
        for wy in range(y0 + cell // 3, y1 - cell, cell):
            draw.rectangle((wx, wy, wx + cell // 2, wy + cell // 2), fill=glass)
    if rng.random() < 0.7:  # a shop sign across the ground floor
        sign_top = y1 - cell * 2
        draw.rectangle((x0, sign_top, x1, sign_top + cell), fill=_jitter(rng, (220, 60, 40), 60))
        _draw_stripes(draw, rng, (x0, sign_top, x1, sign_top + cell))


def _draw_street(image: Image.Image, rng: random.Random) -> None:
    """A street view: sky, a tilted horizon (phones are rarely level), buildings,
    the road in perspective and trees."""
    width, height = image.size
    horizon = int(height * rng.uniform(0.15, 0.7))
    tilt = int(height * rng.uniform(-0.12, 0.12))
    left, right = horizon - tilt // 2, horizon + tilt // 2
    image.paste(_gradient(image.size, _jitter(rng, (90, 140, 210), 50), (220, 225, 230)))
    ground = _gradient(image.size, _jitter(rng, (110, 105, 95), 40), (70, 65, 60))
    mask = Image.new("L", image.size)
    ImageDraw.Draw(mask).polygon([(0, left), (width, right), (width, height), (0, height)], 255)
    image.paste(ground, mask=mask)
    draw = ImageDraw.Draw(image)
    x = rng.randint(-width // 10, width // 10)
    while x < width:
        building_width = rng.randint(width // 8, width // 3)
        base = left + (right - left) * (x + building_width // 2) // width
        if rng.random() < 0.8 and base > height // 10:  # sometimes a gap or a field
            top = rng.randint(height // 30, max(height // 30 + 1, base - height // 20))
            _draw_building(draw, rng, (x, top, x + building_width, base))
        x += building_width + rng.randint(0, width // 12)
    vanish = rng.randint(width // 5, 4 * width // 5)
    at_horizon = left + (right - left) * vanish // width
    road = [(vanish - width // 40, at_horizon), (vanish + width // 40, at_horizon)]
    road.append((rng.randint(width // 2, width * 3 // 2), height))
    road.append((rng.randint(-width, width // 2), height))
    draw.polygon(road, fill=_jitter(rng, (60, 60, 65), 20))
    for _ in range(rng.randint(2, 6)):  # trees and bushes
        cx, cy = rng.randint(0, width), rng.randint(horizon - height // 6, height)
        radius = rng.randint(width // 30, width // 8)
        fill = _jitter(rng, (50, 110, 50), 30)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius // 2), fill=fill)


def _draw_close_up(image: Image.Image, rng: random.Random) -> None:
    """Asphalt or a wall filling the frame, as citizens shoot potholes and dumping."""
    width, height = image.size
    surface = _jitter(rng, rng.choice([(90, 90, 95), (150, 140, 120), (190, 185, 170)]), 30)
    image.paste(_gradient(image.size, surface, _jitter(rng, surface, 60)))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(1, 4)):  # cracks, kerbs, rubbish bags
        x0, y0 = rng.randint(-width // 4, width), rng.randint(-height // 4, height)
        x1 = x0 + rng.randint(width // 10, width // 2)
        y1 = y0 + rng.randint(height // 10, height // 2)
        draw.rectangle((x0, y0, x1, y1), fill=_jitter(rng, (120, 120, 120), 110))
        if rng.random() < 0.5:  # printing on a sack or a sign on the wall
            _draw_stripes(draw, rng, (x0, y0, x1, y0 + (y1 - y0) // 3))


def _draw_scene(seed: int, width: int, height: int) -> Image.Image:
    """The scene for one seed: the large shapes and light that the perceptual hash sees."""
    rng = random.Random(seed)  # noqa: S311 - reproducible scenes, not secrets
    image = Image.new("RGB", (width, height))
    if rng.random() < 0.25:
        _draw_close_up(image, rng)
    else:
        _draw_street(image, rng)
    draw = ImageDraw.Draw(image, "RGBA")
    cx, cy = rng.randint(width // 5, 4 * width // 5), rng.randint(height // 2, height)
    radius = rng.randint(width // 25, width // 6)  # the pothole the citizen reports
    draw.ellipse((cx - radius, cy - radius // 3, cx + radius, cy + radius // 3), fill=(25, 22, 20))
    if rng.random() < 0.7:  # the shadow of a building or a tree across part of the frame
        corners = [
            (rng.randint(-width, 2 * width), rng.randint(-height, 2 * height)) for _ in "abc"
        ]
        draw.polygon(corners, fill=(0, 0, 0, rng.randint(60, 140)))
    return image


@lru_cache(maxsize=4)
def _sensor_noise(width: int, height: int) -> Image.Image:
    """Gaussian noise is the slow part of a photo (Pillow draws it per pixel), so it
    is made once per size and shifted per seed."""
    return Image.effect_noise((width, height), 6).convert("RGB")


@lru_cache(maxsize=16)
def _scene_with_noise(seed: int, width: int, height: int) -> Image.Image:
    """Cached per seed: tests ask for the same scene with different metadata."""
    image = _draw_scene(seed, width, height)
    noise = ImageChops.offset(_sensor_noise(width, height), seed * 7919, seed * 104729)
    return ImageChops.add(image, noise, scale=1.0, offset=-128)


def _rational(value: float, denominator: int = 10_000) -> tuple[int, int]:
    return (round(value * denominator), denominator)


def _dms(value: float) -> tuple[tuple[int, int], ...]:
    """Degrees, minutes and seconds (to 1/10000 s) as EXIF rationals."""
    ten_thousandths = round(abs(value) * 3600 * 10_000)
    total_minutes, seconds = divmod(ten_thousandths, 60 * 10_000)
    degrees, minutes = divmod(total_minutes, 60)
    return ((degrees, 1), (minutes, 1), (seconds, 10_000))


def _parse_offset(offset: str) -> timezone:
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _local_wall_clock(taken_at: datetime, tz_offset: str | None) -> datetime:
    """What the phone's clock showed: naive datetimes are already wall-clock time."""
    if taken_at.tzinfo is None:
        return taken_at
    if tz_offset is None:
        return taken_at.replace(tzinfo=None)
    return taken_at.astimezone(_parse_offset(tz_offset)).replace(tzinfo=None)


def _gps_ifd(
    gps: tuple[float, float], taken_at: datetime | None, tz_offset: str | None, accuracy: float
) -> dict[int, object]:
    latitude, longitude = gps
    ifd: dict[int, object] = {
        piexif.GPSIFD.GPSVersionID: (2, 2, 0, 0),
        piexif.GPSIFD.GPSLatitudeRef: b"S" if latitude < 0 else b"N",
        piexif.GPSIFD.GPSLatitude: _dms(latitude),
        piexif.GPSIFD.GPSLongitudeRef: b"W" if longitude < 0 else b"E",
        piexif.GPSIFD.GPSLongitude: _dms(longitude),
        piexif.GPSIFD.GPSAltitudeRef: 0,
        piexif.GPSIFD.GPSAltitude: (27, 1),
        piexif.GPSIFD.GPSHPositioningError: _rational(accuracy, 100),
    }
    if taken_at is not None and (taken_at.tzinfo is not None or tz_offset is not None):
        if taken_at.tzinfo is None:
            taken_at = taken_at.replace(tzinfo=_parse_offset(tz_offset or "+00:00"))
        utc = taken_at.astimezone(UTC)
        ifd[piexif.GPSIFD.GPSDateStamp] = utc.strftime("%Y:%m:%d").encode()
        ifd[piexif.GPSIFD.GPSTimeStamp] = ((utc.hour, 1), (utc.minute, 1), (utc.second, 1))
    return ifd


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.resize((160, 120), Image.Resampling.BILINEAR, reducing_gap=2.0)
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=70)
    return out.getvalue()


def _exif_bytes(
    image: Image.Image,
    *,
    taken_at: datetime | None,
    gps: tuple[float, float] | None,
    tz_offset: str | None,
    orientation: int,
    make: str,
    model: str,
    gps_accuracy_m: float,
) -> bytes:
    zeroth: dict[int, object] = {
        piexif.ImageIFD.Make: make.encode(),
        piexif.ImageIFD.Model: model.encode(),
        piexif.ImageIFD.Orientation: orientation,
        piexif.ImageIFD.Software: b"A546EXXU4BWK1",
        piexif.ImageIFD.XResolution: (72, 1),
        piexif.ImageIFD.YResolution: (72, 1),
        piexif.ImageIFD.ResolutionUnit: 2,
    }
    exif: dict[int, object] = {
        piexif.ExifIFD.ExposureTime: (1, 250),
        piexif.ExifIFD.FNumber: (18, 10),
        piexif.ExifIFD.ISOSpeedRatings: 50,
        piexif.ExifIFD.PixelXDimension: image.width,
        piexif.ExifIFD.PixelYDimension: image.height,
    }
    if taken_at is not None:
        stamp = _local_wall_clock(taken_at, tz_offset).strftime("%Y:%m:%d %H:%M:%S").encode()
        zeroth[piexif.ImageIFD.DateTime] = stamp
        exif[piexif.ExifIFD.DateTimeOriginal] = stamp
        exif[piexif.ExifIFD.DateTimeDigitized] = stamp
        if tz_offset is not None:
            exif[piexif.ExifIFD.OffsetTime] = tz_offset.encode()
            exif[piexif.ExifIFD.OffsetTimeOriginal] = tz_offset.encode()
    first = {piexif.ImageIFD.Compression: 6, piexif.ImageIFD.XResolution: (72, 1)}
    ifds = {"0th": zeroth, "Exif": exif, "1st": first, "thumbnail": _thumbnail(image)}
    if gps is not None:
        ifds["GPS"] = _gps_ifd(gps, taken_at, tz_offset, gps_accuracy_m)
    return piexif.dump(ifds)


def phone_photo(
    *,
    seed: int,
    width: int = 2000,
    height: int = 1500,
    taken_at: datetime | None,
    gps: tuple[float, float] | None,
    tz_offset: str | None = "+08:00",
    orientation: int = 1,
    quality: int = 88,
    make: str = "Samsung",
    model: str = "Galaxy A54",
    exif: bool = True,
    gps_accuracy_m: float = 4.5,
) -> bytes:
    """A JPEG as a phone camera writes it.

    ``taken_at`` may be aware (converted to the ``tz_offset`` wall clock, or kept
    in its own zone when ``tz_offset`` is None) or naive (already wall-clock
    time). ``orientation`` only sets the EXIF tag; the pixels stay as the sensor
    saw them, as on real phones. ``exif=False`` writes no metadata at all.
    """
    image = _scene_with_noise(seed, width, height)
    options: dict[str, object] = {"quality": quality}
    if exif:
        options["exif"] = _exif_bytes(
            image,
            taken_at=taken_at,
            gps=gps,
            tz_offset=tz_offset,
            orientation=orientation,
            make=make,
            model=model,
            gps_accuracy_m=gps_accuracy_m,
        )
        latitude, longitude = gps or (0.0, 0.0)
        stamp = taken_at.isoformat() if taken_at else ""
        options["xmp"] = _XMP % (str(latitude).encode(), str(longitude).encode(), stamp.encode())
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def png_screenshot(*, seed: int, width: int = 1080, height: int = 1920) -> bytes:
    """A phone screenshot (e.g. of a map or a chat) as PNG, with the text chunks
    screenshot tools write; it carries no camera time or location."""
    rng = random.Random(seed)  # noqa: S311 - reproducible screenshots, not secrets
    image = Image.new("RGB", (width, height), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    bar = height // 24
    draw.rectangle((0, 0, width, bar), fill=(20, 20, 20))
    draw.rectangle((0, bar, width, bar * 3), fill=_jitter(rng, (0, 120, 200), 60))
    _draw_stripes(draw, rng, (bar, bar + bar // 2, width // 2, bar * 3 - bar // 2))
    y = bar * 4
    while y < height - bar * 3:
        row = rng.randint(bar * 2, bar * 5)
        draw.ellipse((bar, y, bar * 2, y + bar), fill=_jitter(rng, (150, 150, 150), 90))
        _draw_stripes(draw, rng, (bar * 3, y, width - bar, y + row - bar // 2))
        draw.line((0, y + row - 2, width, y + row - 2), fill=(220, 220, 220), width=2)
        y += row
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "Android")
    info.add_text("Comment", f"Screenshot_{seed}_Mataramku Lapor")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, compress_level=3)
    return out.getvalue()


def recompressed(data: bytes, *, scale: float = 0.5, quality: int = 70) -> bytes:
    """A re-uploaded copy as messaging apps make it: turned upright, resized,
    recompressed and with every piece of EXIF dropped."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    out = io.BytesIO()
    image.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(out, "JPEG", quality=quality)
    return out.getvalue()
