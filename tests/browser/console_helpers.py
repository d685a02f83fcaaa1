"""Signing in to a city's Diskominfo console in the browser tests."""

from __future__ import annotations

import re

from django.db import connection

from tests.browser.conftest import PASSWORD


def make_console_admin(city, username: str) -> None:
    """A Diskominfo admin as the console's staff screen makes one (role
    ``diskominfo_admin`` through ``people.staff.invite_staff``, no superuser
    flag, no ticked "Status staf"), with the browser tests' password."""
    from people.models import Role
    from people.staff import RoleGrant, invite_staff

    connection.set_tenant(city)
    invited = invite_staff(
        name=username,
        email=f"{username}@x.test",
        username=username,
        roles=[RoleGrant(Role.DISKOMINFO_ADMIN)],
    )
    invited.user.set_password(PASSWORD)
    invited.user.save(update_fields=["password"])


def console_sign_in(page, server, slug: str, username: str, path: str = "/admin/") -> None:
    page.goto(server.url(slug, f"/admin/login/?next={path}"))
    page.get_by_label(re.compile("Nama pengguna|Username")).fill(username)
    page.get_by_label(re.compile("Kata sandi|Sandi|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Masuk|Log in")).click()
    page.wait_for_url(re.compile(re.escape(path) + r"$|" + re.escape(path) + r"\?"))
