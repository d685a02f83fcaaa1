"""Read-only queries on the active city's configuration."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from cityconfig.models import Category, CategoryGroup, CityProfile


@dataclass(frozen=True)
class GroupWithCategories:
    group: CategoryGroup
    categories: list[Category]


def city_profile() -> CityProfile:
    return CityProfile.load()


def category_tree() -> list[GroupWithCategories]:
    """Active category groups with their active categories, in config order."""
    groups = CategoryGroup.objects.active().prefetch_related(
        Prefetch("categories", queryset=Category.objects.active(), to_attr="active_categories")
    )
    return [GroupWithCategories(g, g.active_categories) for g in groups if g.active_categories]


def verification_policy(profile: CityProfile | None = None):
    """The city's verification policy as a typed object."""
    from cityconfig.schema import Verification

    return Verification.model_validate((profile or city_profile()).verification)


def features(profile: CityProfile | None = None):
    from cityconfig.schema import Features

    return Features.model_validate((profile or city_profile()).features)
