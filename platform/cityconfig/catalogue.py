"""Rules of the category catalogue and the OPD tree that the console asks
before it writes: what retiring something would leave behind, whether a move
would make a cycle, and a category's own SLA target.

They answer in counts and objects; the screens turn them into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from cityconfig.models import Category, CityProfile, Opd, RoutingRule, SlaRule


def _reports():
    # reports builds on cityconfig; asked lazily so cityconfig loads first.
    from reports.models import ACTIVE, Report

    return Report, ACTIVE


def open_reports_in_category(category: Category) -> int:
    """Reports of this category an OPD still holds (``reports.models.ACTIVE``)."""
    if category.pk is None:
        return 0
    report, active = _reports()
    return report.objects.filter(category=category, status__in=active).count()


def reports_in_category(category: Category) -> int:
    """Every report ever filed in this category (what makes deleting it impossible)."""
    report, _active = _reports()
    return report.objects.filter(category=category).count()


def retire_category_rules(category: Category) -> int:
    """Retire the routing and SLA rules of a category being retired (a rule of a
    retired category would leave the config invalid). Returns how many."""
    rules = RoutingRule.objects.active().filter(category=category).update(active=False)
    return rules + SlaRule.objects.active().filter(category=category).update(active=False)


def restore_category_routing(category: Category) -> int:
    """Turning a category back on brings back the routing rules that retiring it
    switched off (those whose OPDs are still active), so its reports go where
    they went before instead of silently to the default OPD."""
    rules = RoutingRule.objects.filter(category=category, active=False).exclude(opd__active=False)
    return rules.exclude(forward_to__active=False).update(active=True)


def category_rule_count(category: Category) -> int:
    if category.pk is None:
        return 0
    return (
        RoutingRule.objects.active().filter(category=category).count()
        + SlaRule.objects.active().filter(category=category).count()
    )


def set_category_sla(
    category: Category, response: str | None, resolution: str | None, clock: str
) -> None:
    """The category's own SLA target (category set, no priority); ``None``
    targets retire it so the city's default applies again."""
    rule = SlaRule.objects.filter(category=category, priority="").first()
    if not response or not resolution:
        if rule is not None and rule.active:
            rule.active = False
            rule.save(update_fields=["active"])
        return
    if rule is None:
        rule = SlaRule(category=category, priority="")
    rule.response, rule.resolution, rule.clock, rule.active = response, resolution, clock, True
    rule.save()


def category_sla(category: Category) -> SlaRule | None:
    if category.pk is None:
        return None
    return SlaRule.objects.active().filter(category=category, priority="").first()


# --- the OPD tree -------------------------------------------------------------


def ancestors(opd: Opd | None) -> list[Opd]:
    """``opd`` and its parents up to the top (stops at a cycle already stored)."""
    chain, seen = [], set()
    while opd is not None and opd.pk not in seen:
        chain.append(opd)
        seen.add(opd.pk)
        opd = opd.parent
    return chain


def move_makes_cycle(opd: Opd, new_parent: Opd | None) -> bool:
    """Would putting ``opd`` under ``new_parent`` make the tree go round?"""
    if new_parent is None or opd.pk is None:
        return False
    return any(a.pk == opd.pk for a in ancestors(new_parent))


@dataclass
class OpdRetirement:
    """What retiring an OPD would leave behind. ``blocking`` must be fixed first
    (the config would be invalid); ``open_reports`` only needs a confirmation."""

    open_reports: int = 0
    rules: list[RoutingRule] = field(default_factory=list)
    children: list[Opd] = field(default_factory=list)
    is_default: bool = False

    @property
    def blocking(self) -> bool:
        return bool(self.rules or self.children or self.is_default)


def opd_retirement(opd: Opd) -> OpdRetirement:
    report, active = _reports()
    profile = CityProfile.objects.first()
    return OpdRetirement(
        open_reports=report.objects.filter(opd=opd, status__in=active).count(),
        rules=list(
            RoutingRule.objects.active()
            .filter(Q(opd=opd) | Q(forward_to=opd))
            .select_related("category", "area", "opd", "forward_to")
        ),
        children=list(Opd.objects.active().filter(parent=opd)),
        is_default=profile is not None and profile.default_opd_id == opd.pk,
    )


@dataclass
class TreeNode:
    opd: Opd
    children: list[TreeNode] = field(default_factory=list)


def opd_tree(active: bool = True) -> list[TreeNode]:
    """The OPDs as a forest: parents before children, in the city's order. An
    OPD whose parent is not in the set (retired) is shown at the top."""
    opds = list(Opd.objects.filter(active=active).select_related("area", "parent"))
    nodes = {o.pk: TreeNode(o) for o in opds}
    roots = []
    for opd in opds:
        parent = nodes.get(opd.parent_id)
        (parent.children if parent and parent is not nodes[opd.pk] else roots).append(nodes[opd.pk])
    return roots
