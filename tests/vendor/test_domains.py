"""A city's domains from the vendor console: config and Domain rows change together."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from cityconfig.export import current_config
from cityconfig.models import ConfigRevision
from kanal.errors import InvalidInput, NotFound
from onboarding.domains import add_domain, domain_status, remove_domain
from onboarding.services import apply_config
from tenants.models import Domain


def hosts(city) -> set[str]:
    return set(Domain.objects.filter(tenant=city).values_list("domain", flat=True))


def test_adding_a_domain_changes_config_and_rows_and_records_a_revision(cities):
    city = cities["kotacontoh"]
    assert add_domain(city, "  Aduan.KotaContoh.go.id. ", actor="vendor-ops") == (
        "aduan.kotacontoh.go.id"
    )
    assert "aduan.kotacontoh.go.id" in hosts(city)
    with schema_context(city.schema_name):
        config = current_config(city.slug)
        revision = ConfigRevision.objects.order_by("-pk").first()
    assert config.domains == ["lapor.kotacontoh.go.id", "aduan.kotacontoh.go.id"]
    assert revision.actor == "vendor-ops" and "aduan.kotacontoh.go.id" in revision.source
    assert revision.changes[0]["kind"] == "city" and "domains" in revision.changes[0]["fields"]

    # A later apply of the exported config keeps the domain (apply deletes rows not in it).
    apply_config(config, actor="pytest", source="re-apply")
    connection.set_schema_to_public()
    assert "aduan.kotacontoh.go.id" in hosts(city)


def test_removing_a_domain_takes_it_out_of_config_and_rows(cities):
    city = cities["kotacontoh"]
    remove_domain(city, "lapor.kotacontoh.go.id", actor="vendor-ops")
    assert hosts(city) == {"kotacontoh.localhost"}
    with schema_context(city.schema_name):
        assert current_config(city.slug).domains == []
    with pytest.raises(NotFound):
        remove_domain(city, "lapor.kotacontoh.go.id", actor="vendor-ops")


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("lapor.mataramkota.go.id", "DOMAIN_TAKEN"),  # Mataram's own
        ("serang.localhost", "DOMAIN_PLATFORM"),
        ("LAPOR.serang.localhost", "DOMAIN_PLATFORM"),
        ("https://lapor.kota.go.id/", "DOMAIN_INVALID"),
        ("lapor kota", "DOMAIN_INVALID"),
        ("lapor.kotacontoh.go.id", "DOMAIN_EXISTS"),
    ],
)
def test_bad_or_taken_domains_are_refused_and_nothing_changes(cities, host, code):
    city = cities["kotacontoh"]
    before = hosts(city)
    with schema_context(city.schema_name):
        revisions = ConfigRevision.objects.count()
    with pytest.raises(InvalidInput) as refused:
        add_domain(city, host, actor="vendor-ops")
    assert refused.value.code == code and refused.value.field == "domain"
    assert hosts(city) == before
    with schema_context(city.schema_name):
        assert ConfigRevision.objects.count() == revisions


def test_the_platform_domain_cannot_be_removed(cities):
    city = cities["kotacontoh"]
    with pytest.raises(InvalidInput) as refused:
        remove_domain(city, "kotacontoh.localhost", actor="vendor-ops")
    assert refused.value.code == "DOMAIN_PLATFORM"
    assert "kotacontoh.localhost" in hosts(city)


def test_domain_status_platform_active_custom_unchecked_or_not_pointing(cities, settings):
    city = cities["kotacontoh"]
    assert domain_status(city, "kotacontoh.localhost").state == "active"
    settings.KANAL_INGRESS_ADDRESSES = []
    unchecked = domain_status(city, "lapor.kotacontoh.go.id")
    assert unchecked.state == "unchecked" and unchecked.label == "belum diperiksa"
    assert "CNAME lapor.kotacontoh.go.id → kotacontoh.localhost" in unchecked.hint
    settings.KANAL_INGRESS_ADDRESSES = ["192.0.2.10"]  # TEST-NET: nothing resolves there
    status = domain_status(city, "lapor.kotacontoh.go.id")
    assert status.state == "not_pointing" and "192.0.2.10" in status.hint


def test_the_city_page_adds_and_removes_domains_with_messages(cities, vendor):
    city = cities["kotacontoh"]
    page = vendor.get(f"/admin/tenants/city/{city.pk}/change/").content.decode()
    assert "kotacontoh.localhost" in page and "lapor.kotacontoh.go.id" in page
    assert "WITA (Asia/Makassar)" in page
    answer = vendor.post(
        f"/admin/tenants/city/{city.pk}/domain/", {"domain": "serang.localhost"}, follow=True
    )
    assert "host platform Kanal" in answer.content.decode()
    vendor.post(f"/admin/tenants/city/{city.pk}/domain/", {"domain": "web.kotacontoh.go.id"})
    assert "web.kotacontoh.go.id" in hosts(city)
    vendor.post(f"/admin/tenants/city/{city.pk}/domain/", {"remove": "web.kotacontoh.go.id"})
    assert "web.kotacontoh.go.id" not in hosts(city)
