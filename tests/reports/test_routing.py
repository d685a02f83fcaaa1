"""Routing by category and area, the territorial offices and the default OPD."""

from __future__ import annotations

from cityconfig.models import Area, Category
from routing.services import route


def decide(category: str, area: str | None):
    return route(
        Category.objects.get(code=category),
        Area.objects.get(code=area) if area else None,
    )


def test_area_rule_sends_garbage_to_the_lurah_with_a_forward_hint(world):
    world("kotacontoh")
    decision = decide("sampah", "52.99.02.1001")
    assert decision.opd.name == "Kelurahan Pasar"
    assert decision.forward_to.code == "dlh"


def test_outside_that_area_the_city_wide_rule_applies(world):
    world("kotacontoh")
    assert decide("sampah", "52.99.01.1001").opd.code == "dlh"
    assert decide("sampah", None).opd.code == "dlh"


def test_category_without_rule_goes_to_the_default_opd(world):
    world("kotacontoh")
    decision = decide("pungli", "52.99.01.1001")
    assert (decision.opd.code, decision.rule) == ("command-center", None)


def test_mataram_flood_in_ampenan_goes_to_bpbd_elsewhere_to_the_camat(world):
    world("mataram")
    ampenan_kelurahan = Area.objects.filter(parent__code="52.71.01").first()
    assert decide("banjir", ampenan_kelurahan.code).opd.code == "bpbd"
    other = Area.objects.filter(parent__code="52.71.02").first()
    assert decide("banjir", other.code).opd.name == f"Kecamatan {other.parent.name}"


def test_retired_opd_is_skipped(world):
    world("kotacontoh")
    from cityconfig.models import Opd

    Opd.objects.filter(code="dlh").update(active=False)
    assert decide("sampah", "52.99.01.1001").opd.code == "command-center"
