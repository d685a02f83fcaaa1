"""Found walking the console as a Diskominfo admin: turning a category back on
brings its routing back; the complaint phone and WhatsApp numbers are checked."""

from __future__ import annotations

from django.db import connection

from cityconfig.catalogue import restore_category_routing, retire_category_rules
from cityconfig.models import Category, RoutingRule
from cityconfig.profile_forms import IdentityForm


def test_a_category_turned_back_on_gets_its_routing_back(cities):
    connection.set_tenant(cities["mataram"])
    category = Category.objects.active().filter(routing_rules__active=True).first()
    rules = RoutingRule.objects.active().filter(category=category)
    before = set(rules.values_list("pk", flat=True))
    category.active = False
    category.save()
    retire_category_rules(category)
    assert not RoutingRule.objects.active().filter(category=category).exists()
    category.active = True
    category.save()
    restore_category_routing(category)
    after = set(rules.values_list("pk", flat=True))
    assert after == before


def test_support_numbers_that_are_not_numbers_are_field_errors(cities):
    connection.set_tenant(cities["mataram"])
    form = IdentityForm(data={"support_phone": "abc", "support_whatsapp": "tanya pak budi"})
    form.is_valid()
    assert "support_phone" in form.errors and "support_whatsapp" in form.errors
    assert "angka" in form.errors["support_phone"][0]
    good = IdentityForm(data={"support_phone": "(0370) 123456", "support_whatsapp": "+62 812-3456"})
    good.is_valid()
    assert "support_phone" not in good.errors and "support_whatsapp" not in good.errors
