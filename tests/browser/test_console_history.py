"""Issue 16 task 8 in the browser: a Mataram Diskominfo admin reads a change
as before → after and rolls the routing back to the earlier revision."""

from __future__ import annotations

import re

from django.db import connection

from tests.browser.conftest import run_in_thread
from tests.browser.console_helpers import console_sign_in


def _retire_a_rule(city):
    from cityconfig.models import ConfigRevision, RoutingRule
    from cityconfig.revisions import recorded_change

    connection.set_tenant(city)
    earlier = ConfigRevision.objects.first().pk
    rule = (
        RoutingRule.objects.active()
        .filter(area__isnull=True, opd__isnull=False)
        .select_related("category", "opd")
        .first()
    )
    with recorded_change("kepala-seksi (konsol)", source="test"):
        rule.active = False
        rule.save()
    return earlier, rule.pk, rule.category.code, rule.category.name_id, rule.opd.code


def _rule_state(city, pk_or_key):
    from cityconfig.models import RoutingRule

    connection.set_tenant(city)
    category, opd = pk_or_key
    return (
        RoutingRule.objects.active()
        .filter(category__code=category, area=None, opd__code=opd)
        .exists()
    )


def test_history_reads_as_a_diff_and_rollback_restores_the_routing(
    db, server, browser, web_cities, django_db_blocker, console_admin, shot
):
    city = web_cities["web-mtr"]
    username = console_admin("web-mtr")
    earlier, _, category, _name, opd = run_in_thread(django_db_blocker, _retire_a_rule, city)
    assert not run_in_thread(django_db_blocker, _rule_state, city, (category, opd))

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    console_sign_in(page, server, "web-mtr", username)
    page.get_by_role("link", name="Riwayat perubahan").first.click()
    page.get_by_role("link", name=re.compile(r"\d{1,2}[:.]\d{2}")).first.click()
    body = page.locator("#content-main")
    assert "Aturan disposisi" in body.inner_text()
    assert category in body.inner_text()
    assert "dihapus/dinonaktifkan" in body.inner_text()
    assert "kepala-seksi (konsol)" in page.content()
    shot(page, "console-history-diff")

    page.goto(server.url("web-mtr", f"/admin/cityconfig/configrevision/{earlier}/change/"))
    page.get_by_role("link", name=re.compile("Kembalikan ke revisi ini")).click()
    plan = page.locator(".console-changes").inner_text()
    assert category in plan and "ditambahkan" in plan  # the plan comes first
    shot(page, "console-rollback-plan")
    page.get_by_role("button", name="Ya, kembalikan").click()
    page.wait_for_url(re.compile(r"/admin/cityconfig/configrevision/$"))
    assert "dikembalikan ke revisi" in page.locator(".messagelist").inner_text()
    assert run_in_thread(django_db_blocker, _rule_state, city, (category, opd))
    # The rollback is itself the newest revision.
    assert f"pengembalian ke revisi #{earlier}" in page.locator("#result_list").inner_text()

    # English on request.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "import yaml" in page.locator("#content").inner_text().lower()
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.wait_for_load_state()

    page.set_viewport_size({"width": 412, "height": 900})
    page.get_by_role("link", name=re.compile(r"\d{1,2}[:.]\d{2}")).first.click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 430, f"the diff is {width}px wide on a phone"
    shot(page, "console-history-phone")

    page.close()
