"""Moderation and the workbench's priority over the API: every role tries every
new mutation (exact codes), typed input errors, the timeline's who and why, and
the blurred public copy beside the untouched original."""

from __future__ import annotations

import io

import pytest
from django.db import connection, transaction
from PIL import Image

from reports.models import Report
from tests.api.test_rules import ROLES, tokens  # noqa: F401  (the shared fixture)

BOX = {"x": 0.1, "y": 0.1, "width": 0.3, "height": 0.3}
MODERATORS = {"operator", "command", "admin"}

# mutation, variables (trackingCode filled in), roles allowed
MATRIX = [
    ("HideReport", {"reason": "Memuat data pribadi."}, MODERATORS),
    ("UnhideReport", {"reason": "Sudah aman."}, MODERATORS),
    (
        "EditPublicText",
        {"text": "Jalan berlubang di depan kantor.", "reason": "Nomor HP dihapus."},
        MODERATORS,
    ),
    ("BlurPhotoRegion", {"position": 0, "box": BOX, "reason": "Wajah warga."}, MODERATORS),
    ("SetReportPriority", {"priority": "", "note": "Tanpa prioritas."}, MODERATORS),
]


def _code(result: dict) -> str:
    payload = next(iter(result["data"].values()))
    return payload["errors"][0]["code"] if payload["errors"] else "OK"


@pytest.mark.parametrize(("mutation", "variables", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_role_moderation_matrix(api, tokens, mutation, variables, allowed):  # noqa: F811
    """Each try is rolled back, so an allowed role does not change what the next meets."""
    code, issued = tokens
    outcome = {}
    for role in ROLES:
        with transaction.atomic():
            result = api("kotacontoh", issued.get(role)).op(
                mutation, {"trackingCode": code, **variables}
            )
            outcome[role] = _code(result)
            transaction.set_rollback(True)
        connection.set_schema_to_public()
    expected = {
        role: "OK" if role in allowed else ("UNAUTHENTICATED" if role is None else "FORBIDDEN")
        for role in ROLES
    }
    assert outcome == expected


@pytest.mark.parametrize(
    ("mutation", "variables", "field", "error"),
    [
        ("HideReport", {"reason": "  "}, "reason", "REQUIRED"),
        ("EditPublicText", {"text": "", "reason": "x"}, "text", "REQUIRED"),
        ("SetReportPriority", {"priority": "kilat"}, "priority", "UNKNOWN_PRIORITY"),
        (
            "BlurPhotoRegion",
            {"position": 0, "box": {**BOX, "x": 0.9}, "reason": "Wajah."},
            "box",
            "INVALID_BOX",
        ),
        (
            "BlurPhotoRegion",
            {"position": 7, "box": BOX, "reason": "Wajah."},
            "photoPosition",
            "NOT_FOUND",
        ),
        ("BlurPhotoRegion", {"position": 0, "box": BOX, "reason": ""}, "reason", "REQUIRED"),
    ],
)
def test_bad_moderation_input_is_a_typed_error(api, tokens, mutation, variables, field, error):  # noqa: F811
    code, issued = tokens
    result = api("kotacontoh", issued["operator"]).op(mutation, {"trackingCode": code, **variables})
    payload = next(iter(result["data"].values()))
    assert payload["report"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, error)]


def _pixels(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


def test_moderation_leaves_who_and_why_on_the_staff_timeline(api, tokens):  # noqa: F811
    code, issued = tokens
    operator = api("kotacontoh", issued["operator"])
    connection.set_tenant(_city())
    report = Report.objects.get(tracking_code=code)
    photo = report.photos.get(kind="report", position=0)
    original = photo.original.open("rb").read()
    public_before = photo.public.open("rb").read()
    connection.set_schema_to_public()

    hidden = operator.op("HideReport", {"trackingCode": code, "reason": "Ada nomor KTP."})
    assert hidden["data"]["hideReport"]["report"]["hidden"] is True
    assert "unhide" in hidden["data"]["hideReport"]["report"]["allowedActions"]
    assert api("kotacontoh").op("TrackReport", {"trackingCode": code})["data"]["report"] is None
    shown = operator.op("UnhideReport", {"trackingCode": code, "reason": "KTP dikaburkan."})
    assert shown["data"]["unhideReport"]["report"]["hidden"] is False

    edited = operator.op(
        "EditPublicText",
        {"trackingCode": code, "text": "Jalan berlubang.", "reason": "Nama warga dihapus."},
    )["data"]["editPublicText"]["report"]
    assert edited["description"] == "Jalan berlubang."
    assert edited["originalDescription"].startswith("Jalan berlubang cukup dalam")
    public = api("kotacontoh").op("TrackReport", {"trackingCode": code})["data"]["report"]
    assert public["description"] == "Jalan berlubang."

    blurred = operator.op(
        "BlurPhotoRegion",
        {"trackingCode": code, "position": 0, "box": BOX, "reason": "Wajah warga."},
    )["data"]["blurPhotoRegion"]
    assert blurred["errors"] == []
    timeline = blurred["report"]["timeline"]
    mine = [(e["action"], e["note"], e["public"]) for e in timeline if not e["public"]]
    assert mine == [
        ("hidden", "Ada nomor KTP.", False),
        ("unhidden", "KTP dikaburkan.", False),
        ("public_text_edited", "Nama warga dihapus.", False),
        ("photo_blurred", "Wajah warga.", False),
    ]
    assert {e["actor"] for e in timeline if not e["public"]} == {"api-operator"}
    assert "Ditampilkan kembali ke publik" in {e["label"] for e in timeline}
    # The public never reads the moderators' entries, nor the original text.
    public = api("kotacontoh").op("TrackReport", {"trackingCode": code})["data"]["report"]
    assert all(e["public"] for e in public["timeline"])

    connection.set_tenant(_city())
    photo.refresh_from_db()
    assert photo.original.open("rb").read() == original
    public_after = photo.public.open("rb").read()
    assert public_after != public_before
    before, after = _pixels(public_before), _pixels(public_after)
    inside = (
        int(0.15 * before.width),
        int(0.15 * before.height),
        int(0.35 * before.width),
        int(0.35 * before.height),
    )
    outside = (int(0.6 * before.width), int(0.6 * before.height), before.width, before.height)
    assert _diff(before.crop(inside), after.crop(inside)) > 3 * _diff(
        before.crop(outside), after.crop(outside)
    )
    connection.set_schema_to_public()


def _city():
    from tenants.models import City

    return City.objects.get(slug="kotacontoh")


def _diff(a: Image.Image, b: Image.Image) -> float:
    from PIL import ImageChops, ImageStat

    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def test_allowed_actions_follow_the_roles(api, tokens):  # noqa: F811
    code, issued = tokens

    def actions(role):
        result = api("kotacontoh", issued.get(role)).op("WorkReport", {"trackingCode": code})
        return set(result["data"]["report"]["allowedActions"])

    assert actions("reporter") == set() and actions(None) == set()
    assert {"acknowledge", "forward", "progress_note"} <= actions("dlh")
    assert not {"hide", "blur_photo", "set_priority"} & actions("dlh")
    assert actions("pupr") == set()
    operator = actions("operator")
    assert {"forward", "merge", "set_area", "set_priority", "hide", "blur_photo"} <= operator
    assert not {"acknowledge", "accept"} & operator
