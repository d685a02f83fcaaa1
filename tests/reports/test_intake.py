"""Intake: each city's verification policy on real photos, and bad input refused
with a clear error while nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cityconfig.models import Category
from kanal.errors import InvalidInput
from people.actors import Actor
from reports.intake import Upload
from reports.models import Photo, Report, Status
from verification.samples import phone_photo


def failed(submission) -> dict[str, str]:
    return {c["name"]: c["reason_en"] for c in submission.checks if c["result"] == "fail"}


def test_five_hour_old_photo_is_rejected_in_pangkalpinang_but_fine_in_mataram(world):
    pangkal = world("pangkalpinang")
    rejected = pangkal.submit(photos=[pangkal.photo(minutes_ago=300)])
    assert rejected.report.status == Status.REJECTED
    assert "photo_fresh" in failed(rejected)
    # Kept, with its reasons, so the citizen sees why.
    assert Report.objects.get(pk=rejected.report.pk).timeline.last().note

    mataram = world("mataram")
    accepted = mataram.submit(photos=[mataram.photo(minutes_ago=300)])
    assert accepted.report.status == Status.ASSIGNED


def test_photo_taken_far_from_the_reported_point_is_rejected(world):
    city = world("mataram")
    lat, lon = city.center
    far = city.photo(near=(lat + 0.01, lon))  # about 1.1 km north
    submission = city.submit(photos=[far])
    assert "photo_location" in failed(submission)
    assert submission.report.verdict == "rejected"


def test_point_outside_the_city_is_rejected(world):
    city = world("mataram")
    jakarta_point = (-6.1815, 106.8283)
    submission = city.submit(near=jakarta_point, photos=[city.photo(near=jakarta_point)])
    assert "inside_city" in failed(submission)


def test_reused_photo_is_caught_even_resized_and_recompressed(world):
    from verification.samples import recompressed

    city = world("mataram")
    first = city.photo(seed=4242)
    city.submit(photos=[first])
    lat, lon = city.center
    copy = Upload(recompressed(first.data, scale=0.6, quality=70))
    second = city.submit(category_code="pju", near=(lat + 0.005, lon), photos=[copy])
    assert "photo_not_reused" in failed(second)


def test_nearby_open_report_of_the_same_category_is_offered_as_duplicate(world):
    city = world("mataram")
    first = city.submit().report
    second = city.submit(citizen := city.citizen("+6281299990000")).report  # noqa: F841
    assert second.possible_duplicates == [first.tracking_code]
    assert second.status == Status.TRIAGE  # Mataram triages warnings


def test_browser_upload_without_exif_goes_to_triage_but_the_app_must_send_it(world):
    city = world("mataram")
    lat, lon = city.center
    stripped = Upload(
        phone_photo(seed=77, width=800, height=600, taken_at=None, gps=None, exif=False)
    )
    web = city.submit(channel="web", photos=[stripped])
    assert web.report.status == Status.TRIAGE
    app = city.submit(channel="app", near=(lat + 0.003, lon), photos=[stripped])
    assert app.report.status == Status.REJECTED
    assert "photo_location" in failed(app)


def test_category_without_photo_requirement_needs_no_photo(world):
    city = world("mataram")
    submission = city.submit(category_code="pungli", photos=[])
    assert submission.report.status == Status.ASSIGNED


@pytest.mark.parametrize(
    ("fields", "photos", "field", "code"),
    [
        ({"category_code": "tidak-ada"}, None, "categoryCode", "UNKNOWN_CATEGORY"),
        ({"latitude": 123.0}, None, "latitude", "COORDINATE_OUT_OF_RANGE"),
        ({"longitude": float("nan")}, None, "longitude", "COORDINATE_OUT_OF_RANGE"),
        ({"description": "rusak"}, None, "description", "DESCRIPTION_LENGTH"),
        ({"channel": "merpati"}, None, "channel", "CHANNEL_NOT_ENABLED"),
        ({"channel": "walk_in"}, None, "channel", "CHANNEL_NOT_SELF_SERVICE"),
        ({"area_code": "99.99.99"}, None, "areaCode", "UNKNOWN_AREA"),
        ({}, [], "photos", "PHOTO_REQUIRED"),
        ({}, [Upload(b"ini bukan foto, hanya teks biasa")], "photos[0]", "NOT_AN_IMAGE"),
        ({}, [Upload(b"\xff\xd8\xff\xe0" + b"\0" * (16 * 1024 * 1024))], "photos[0]", "TOO_LARGE"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(world, fields, photos, field, code):
    city = world("mataram")
    before = (Report.objects.count(), Photo.objects.count())
    with pytest.raises(InvalidInput) as caught:
        city.submit(photos=photos, **fields)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert caught.value.message_in("id") and caught.value.message_in("en")
    assert (Report.objects.count(), Photo.objects.count()) == before


def test_a_retired_category_is_refused(world):
    city = world("mataram")
    Category.objects.filter(code="pju").update(active=False)
    with pytest.raises(InvalidInput) as caught:
        city.submit(category_code="pju")
    assert caught.value.code == "UNKNOWN_CATEGORY"


def test_jakarta_refuses_anonymous_reports_mataram_takes_them(world):
    jakarta = world("jakarta")
    with pytest.raises(InvalidInput) as caught:
        jakarta.submit(Actor.anonymous())
    assert caught.value.code == "ANONYMOUS_NOT_ALLOWED"
    mataram = world("mataram")
    report = mataram.submit(Actor.anonymous()).report
    assert report.anonymous and report.reporter is None


def test_operator_records_a_walk_in_report_on_a_citizens_behalf(world):
    city = world("serang")
    operator = city.staff("operator")
    report = city.submit(
        operator,
        channel="walk_in",
        reporter_phone="0812-3456-7890",
        photos=[],
        category_code="pungli",
        contact_name="Pak Ahmad",
    ).report
    assert report.reporter.phone == "+6281234567890"
    assert report.entered_by == operator.user
    assert report.channel == "walk_in"


@pytest.mark.isolation
def test_public_copy_has_no_metadata_and_files_sit_under_the_city_prefix(world):
    from PIL import Image

    city = world("mataram")
    report = city.submit().report
    photo = report.photos.get()
    assert Path(photo.original.path).is_relative_to(
        Path(settings.MEDIA_ROOT) / connection.schema_name
    )
    assert connection.schema_name == "kota_mataram"
    with Image.open(photo.public.path) as public:
        exif = public.getexif()
        assert 0x8825 not in exif  # no GPS IFD
    with Image.open(photo.original.path) as original:
        assert 0x8825 in original.getexif()
    assert photo.gps_latitude is not None  # extracted metadata is kept
