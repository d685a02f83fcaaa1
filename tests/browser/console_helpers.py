"""Signing in to a city's Diskominfo console in the browser tests."""

from __future__ import annotations

import re

from django.db import connection

from tests.browser.conftest import PASSWORD


def make_console_admin(city, username: str) -> None:
    """A Diskominfo admin as the console's staff screen makes one (role
    ``diskominfo_admin``, no superuser flag)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from people.models import Role, StaffRole

    connection.set_tenant(city)
    user = get_user_model().objects.create_user(username, f"{username}@x.test", PASSWORD)
    user.is_staff = True
    user.save()
    StaffRole.objects.create(user=user, role=Role.DISKOMINFO_ADMIN)
    group, _ = Group.objects.get_or_create(name="Admin Diskominfo")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["cityconfig", "ranking", "people", "auth", "open311"]
        )
    )
    user.groups.add(group)


def console_sign_in(page, server, slug: str, username: str, path: str = "/admin/") -> None:
    page.goto(server.url(slug, f"/admin/login/?next={path}"))
    page.get_by_label(re.compile("Nama pengguna|Username")).fill(username)
    page.get_by_label(re.compile("Kata sandi|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Masuk|Log in")).click()
    page.wait_for_url(re.compile(re.escape(path) + r"$|" + re.escape(path) + r"\?"))
