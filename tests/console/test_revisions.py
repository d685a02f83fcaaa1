"""Issue 16 task 8: every config change is a readable revision — deletes, list
edits and rollbacks included — and a whole config can be rolled back to or
imported from YAML, with the plan shown before anything is applied."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from cityconfig.export import config_to_yaml, current_config
from cityconfig.models import Category, ConfigRevision, RoutingRule
from tests.test_admin_security import make_staff

CHANGELIST = "/admin/cityconfig/configrevision/"


@pytest.fixture
def mataram(cities):
    city = cities["mataram"]
    make_staff(city, "diskominfo-rev")
    browser = Client(HTTP_HOST="mataram.localhost")
    response = browser.post(
        "/admin/login/", {"username": "diskominfo-rev", "password": "pw-Kanal-123", "next": "/"}
    )
    assert response.status_code == 302
    connection.set_tenant(city)
    return browser


def _delete_selected(browser, model: str, pks: list[int]):
    return browser.post(
        f"/admin/cityconfig/{model}/",
        {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks], "post": "yes"},
    )


def _a_rule() -> RoutingRule:
    return (
        RoutingRule.objects.active()
        .filter(area__isnull=True, opd__isnull=False)
        .select_related("category", "opd")
        .first()
    )


def test_delete_selected_is_a_revision_that_reads_as_a_change(mataram):
    rule = _a_rule()
    before = ConfigRevision.objects.count()
    response = _delete_selected(mataram, "routingrule", [rule.pk])
    assert response.status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert ConfigRevision.objects.count() == before + 1
    revision = ConfigRevision.objects.first()
    assert revision.actor == "diskominfo-rev (konsol)"
    [change] = revision.changes
    assert change["kind"] == "routing_rule" and change["action"] == "retire"
    assert change["key"].startswith(rule.category.code)

    page = mataram.get(f"{CHANGELIST}{revision.pk}/change/").content.decode()
    assert "Aturan disposisi" in page and "dihapus/dinonaktifkan" in page
    assert "Kembalikan ke revisi ini" in page
    listing = mataram.get(CHANGELIST).content.decode()
    assert f"Aturan disposisi {change['key']}" in listing


def test_a_field_change_shows_before_and_after(mataram):
    category = Category.objects.active().first()
    old_name = category.name_en
    with_revision = ConfigRevision.objects.count()
    # A list edit through the admin's own path (the recorded change wraps the view).
    category.name_en = "Renamed in a test"
    from cityconfig.revisions import recorded_change

    with recorded_change("tester", source="test"):
        category.save()
    assert ConfigRevision.objects.count() == with_revision + 1
    revision = ConfigRevision.objects.first()
    page = mataram.get(f"{CHANGELIST}{revision.pk}/change/").content.decode()
    assert "name.en" in page and old_name in page and "Renamed in a test" in page


def test_rollback_restores_the_earlier_routing_as_a_new_revision(mataram):
    rule = _a_rule()
    target = (rule.category.code, rule.opd.code)
    earlier = ConfigRevision.objects.first()  # the config before the delete
    _delete_selected(mataram, "routingrule", [rule.pk])
    assert not RoutingRule.objects.active().filter(category=rule.category, area=None).exists()

    url = f"{CHANGELIST}{earlier.pk}/rollback/"
    plan = mataram.get(url)
    assert plan.status_code == 200
    text = plan.content.decode()
    assert "ditambahkan" in text and rule.category.code in text  # the plan, before applying
    assert not RoutingRule.objects.active().filter(category=rule.category, area=None).exists()

    live = re.search(r'name="live" value="([0-9a-f]+)"', text).group(1)
    count = ConfigRevision.objects.count()
    response = mataram.post(url, {"live": live})
    assert response.status_code == 302
    connection.set_tenant(connection.tenant)
    restored = RoutingRule.objects.active().select_related("category", "opd")
    assert (target[0], target[1]) in {(r.category.code, r.opd and r.opd.code) for r in restored}
    assert ConfigRevision.objects.count() == count + 1
    assert ConfigRevision.objects.first().source == f"pengembalian ke revisi #{earlier.pk}"


def test_a_stale_rollback_plan_is_not_applied(mataram):
    earlier = ConfigRevision.objects.first()
    _delete_selected(mataram, "routingrule", [_a_rule().pk])
    count = ConfigRevision.objects.count()
    response = mataram.post(f"{CHANGELIST}{earlier.pk}/rollback/", {"live": "0" * 64})
    assert response.status_code == 200
    assert "berubah sejak pratinjau" in response.content.decode()
    assert ConfigRevision.objects.count() == count


def test_import_shows_the_plan_then_applies(mataram):
    config = current_config("mataram")
    group = config.category_groups[0]
    edited = config.model_copy(
        update={
            "category_groups": [
                group.model_copy(update={"name": group.name.model_copy(update={"en": "Imported"})}),
                *config.category_groups[1:],
            ]
        }
    )
    text = config_to_yaml(edited)
    response = mataram.post("/admin/cityconfig/configrevision/import/", {"text": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rencana perubahan" in page and "Imported" in page
    assert current_config("mataram").category_groups[0].name.en != "Imported"  # not yet

    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    response = mataram.post(
        "/admin/cityconfig/configrevision/import/", {"token": token, "apply": "1"}
    )
    assert response.status_code == 302
    connection.set_tenant(connection.tenant)
    assert current_config("mataram").category_groups[0].name.en == "Imported"
    assert ConfigRevision.objects.first().source.startswith("impor ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("slug: serang\n", "slug"),  # another city's file
        ("slug: mataram\nidentity: [\n", "YAML"),
        ("a: 1\na: 2\n", "duplicate key"),
    ],
)
def test_a_bad_import_is_explained_and_changes_nothing(mataram, text, expected):
    count = ConfigRevision.objects.count()
    response = mataram.post("/admin/cityconfig/configrevision/import/", {"text": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "tidak dapat diterapkan" in page and expected.lower() in page.lower()
    assert ConfigRevision.objects.count() == count


def test_import_never_changes_the_host_names(mataram):
    config = current_config("mataram")
    text = config_to_yaml(config.model_copy(update={"domains": ["lapor.serangkota.go.id"]}))
    response = mataram.post("/admin/cityconfig/configrevision/import/", {"text": text})
    assert "Tidak ada perubahan" in response.content.decode()


def test_export_downloads_the_live_config(mataram):
    response = mataram.get("/admin/cityconfig/configrevision/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mataram.yaml"'
    assert b"slug: mataram" in response.content


def test_another_citys_revision_is_not_found(mataram, cities):
    connection.set_tenant(cities["serang"])
    serang_revision = ConfigRevision.objects.first().pk
    connection.set_tenant(cities["mataram"])
    mataram_ids = set(ConfigRevision.objects.values_list("pk", flat=True))
    if serang_revision in mataram_ids:  # same number in two schemas: a different row
        assert b"serang" not in mataram.get(f"{CHANGELIST}{serang_revision}/change/").content
    else:
        assert mataram.get(f"{CHANGELIST}{serang_revision}/rollback/").status_code == 404


def test_the_vendor_site_has_no_city_history(cities):
    from django.contrib.auth import get_user_model

    connection.set_schema_to_public()
    get_user_model().objects.create_superuser("vendor-rev", "v@x.test", "pw-Kanal-123")
    browser = Client(HTTP_HOST="localhost")
    browser.post("/admin/login/", {"username": "vendor-rev", "password": "pw-Kanal-123"})
    assert browser.get("/admin/cityconfig/configrevision/import/").status_code == 404
    assert browser.get("/admin/cityconfig/configrevision/export/").status_code == 404
