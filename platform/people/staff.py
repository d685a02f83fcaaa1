"""Who a city's staff are and what they may open: the one home of the rules.

Two notions, never mixed up:

* **can use the staff apps** (/kerja/, /respond/, /survei/, /command/): an
  active account with at least one :class:`StaffRole`;
* **can use the console** (/admin/ on the city's host): an active account with
  the ``diskominfo_admin`` role (or a superuser). The role puts the account in
  the "Admin Diskominfo" group, which carries the console's permissions, and
  ``is_staff`` is *derived* from it, so nobody has to tick "Status staf".

There is no e-mail or SMS sender for staff yet (issue 18): an invitation and a
password reset return a temporary password that the console shows once; only
its hash is stored.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kanal.errors import InvalidInput
from people.models import OPD_ROLES, AccessToken, Role, StaffProfile, StaffRole
from people.otp import normalize_phone

CONSOLE_GROUP = "Admin Diskominfo"
# The apps whose screens the console shows a Diskominfo admin. auth (raw users
# and groups) is deliberately absent: staff are managed on the "Petugas" screen.
CONSOLE_APPS = ("cityconfig", "ranking", "people", "open311", "messaging")
TEMP_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"

# Where each role works: the app a person is pointed to when the console is not theirs.
ROLE_APPS = {
    Role.OPERATOR: "/kerja/",
    Role.SURVEY_OFFICER: "/survei/",
    Role.OPD_RESPONDER: "/respond/",
    Role.OPD_HEAD: "/respond/",
    Role.COMMAND_CENTER: "/command/",
    Role.DISKOMINFO_ADMIN: "/admin/",
}


@dataclass(frozen=True)
class RoleGrant:
    """One role, with the OPD it acts for (required for OPD roles)."""

    role: str
    opd_id: int | None = None


@dataclass(frozen=True)
class Invited:
    user: object
    temporary_password: str


def can_use_staff_apps(user) -> bool:
    """An active account with at least one staff role (superusers too)."""
    if user is None or not user.is_active:
        return False
    return user.is_superuser or StaffRole.objects.filter(user=user).exists()


def can_use_console(user) -> bool:
    """An active account with the Diskominfo admin role (superusers too)."""
    if user is None or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return StaffRole.objects.filter(user=user, role=Role.DISKOMINFO_ADMIN).exists()


def apps_of(user) -> list[str]:
    """The staff apps this person's roles open, in a stable order (may be empty)."""
    roles = set(StaffRole.objects.filter(user=user).values_list("role", flat=True))
    paths = [ROLE_APPS[r] for r in Role if r in roles and r != Role.DISKOMINFO_ADMIN]
    return list(dict.fromkeys(paths))


def console_group() -> Group:
    """The group whose permissions the console role grants (kept in step with the apps)."""
    group, _created = Group.objects.get_or_create(name=CONSOLE_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=CONSOLE_APPS))
    return group


def temporary_password() -> str:
    """12 characters without look-alikes (0/O, 1/l/I): read aloud or typed from a screen."""
    return "".join(secrets.choice(TEMP_PASSWORD_ALPHABET) for _i in range(12))


def clean_phone(raw: str) -> str:
    """'' or an E.164 number, normalised like the citizen sign-in does. Letters are
    refused (phonenumbers would read "78O0" as a keypad word, hiding an O-for-0 typo)."""
    if not (raw or "").strip():
        return ""
    if re.search(r"[^\d\s+().-]", raw):
        normalize_phone("x")  # the citizen sign-in's own refusal and message
    return normalize_phone(raw)


def clean_email(raw: str) -> str:
    email = (raw or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            field="email", message=_("Alamat e-mail tidak valid. Contoh: nama@kota.go.id.")
        ) from None
    return email.lower()


def _check_username(username: str) -> str:
    username = username.strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise InvalidInput(
            field="username",
            message=_("Nama pengguna hanya boleh huruf, angka dan . @ + - _ (tanpa spasi)."),
        ) from None
    if len(username) > 150:
        raise InvalidInput(field="username", message=_("Nama pengguna terlalu panjang."))
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise InvalidInput(field="username", message=_("Nama pengguna ini sudah dipakai."))
    return username


def suggest_username(name: str, email: str = "") -> str:
    """budi.santoso, budi.santoso2, … (from the name, else the e-mail's local part)."""
    base = re.sub(r"-+", ".", slugify(name))[:30].strip(".") or slugify(email.split("@")[0])
    base = base or "petugas"
    users = get_user_model().objects
    candidate, n = base, 1
    while users.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _check_contact(user_pk: int | None, phone: str, email: str) -> None:
    if not phone and not email:
        raise InvalidInput(
            field="phone", message=_("Isi nomor telepon atau e-mail (salah satu cukup).")
        )
    if phone and StaffProfile.objects.filter(phone=phone).exclude(user_id=user_pk).exists():
        raise InvalidInput(
            field="phone", message=_("Nomor telepon ini sudah dipakai petugas lain.")
        )


def _check_roles(grants: Iterable[RoleGrant]) -> list[RoleGrant]:
    from cityconfig.models import Opd

    out: list[RoleGrant] = []
    for grant in grants:
        if grant.role not in Role.values:
            raise InvalidInput(field="roles", message=_("Peran tidak dikenal."))
        if grant.role in OPD_ROLES:
            if grant.opd_id is None:
                raise InvalidInput(field="roles", message=_("Pilih OPD untuk peran OPD."))
            if not Opd.objects.filter(pk=grant.opd_id).exists():
                raise InvalidInput(field="roles", message=_("OPD tidak ditemukan."))
            out.append(grant)
        else:
            out.append(RoleGrant(grant.role, None))  # an OPD means nothing for city-wide roles
    return list(dict.fromkeys(out))


def _split_name(name: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(field="name", message=_("Isi nama petugas."))
    if len(name) > 150:
        raise InvalidInput(field="name", message=_("Nama terlalu panjang."))
    return name[:150], ""


def _sync_console_access(user) -> None:
    """is_staff and the console group follow the Diskominfo role."""
    console = StaffRole.objects.filter(user=user, role=Role.DISKOMINFO_ADMIN).exists()
    group = console_group()
    if console:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    if user.is_staff != (console or user.is_superuser):
        user.is_staff = console or user.is_superuser
        user.save(update_fields=["is_staff"])


@transaction.atomic
def invite_staff(
    *, name: str, phone: str = "", email: str = "", username: str = "", roles: Iterable[RoleGrant]
) -> Invited:
    """Create a staff account with its roles; returns it with a temporary password.

    Raises :class:`InvalidInput` (with the field) for a missing name, no contact,
    a bad phone/e-mail, a taken username, or an OPD role without an OPD.
    """
    first, last = _split_name(name)
    phone, email = clean_phone(phone), clean_email(email)
    _check_contact(None, phone, email)
    grants = _check_roles(roles)
    username = _check_username(username) if username.strip() else suggest_username(name, email)
    password = temporary_password()
    user = get_user_model().objects.create_user(
        username, email, password, first_name=first, last_name=last
    )
    StaffProfile.objects.create(user=user, phone=phone)
    _replace_roles(user, grants)
    return Invited(user, password)


def _replace_roles(user, grants: list[RoleGrant]) -> None:
    StaffRole.objects.filter(user=user).delete()
    StaffRole.objects.bulk_create(
        StaffRole(user=user, role=g.role, opd_id=g.opd_id) for g in grants
    )
    _sync_console_access(user)


@transaction.atomic
def update_staff(user, *, name: str, phone: str = "", email: str = "") -> None:
    """Change a staff member's name and contacts (the same checks as the invitation)."""
    first, last = _split_name(name)
    phone, email = clean_phone(phone), clean_email(email)
    _check_contact(user.pk, phone, email)
    user.first_name, user.last_name, user.email = first, last, email
    user.save(update_fields=["first_name", "last_name", "email"])
    StaffProfile.objects.update_or_create(user=user, defaults={"phone": phone})


@transaction.atomic
def set_roles(user, roles: Iterable[RoleGrant], *, by=None) -> None:
    """Replace a staff member's roles. An admin cannot take the console role from
    themselves (they would lock themselves out mid-change)."""
    grants = _check_roles(roles)
    keeps_console = any(g.role == Role.DISKOMINFO_ADMIN for g in grants)
    if by is not None and by.pk == user.pk and not by.is_superuser and not keeps_console:
        raise InvalidInput(
            field="roles",
            message=_("Anda tidak dapat mencabut peran Admin Diskominfo dari akun Anda sendiri."),
        )
    _replace_roles(user, grants)


def end_sessions(user) -> None:
    """Revoke the apps' tokens and the console sessions of this account."""
    AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


@transaction.atomic
def deactivate(user, *, by=None) -> None:
    """Stop an account: it can no longer sign in, and its tokens and sessions end now."""
    if by is not None and by.pk == user.pk:
        raise InvalidInput(message=_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user)


def reactivate(user) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])


@transaction.atomic
def reset_password(user) -> str:
    """A new temporary password (returned once); every open session and token ends."""
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    end_sessions(user)
    return password


def two_factor_devices(user) -> int:
    from django_otp import devices_for_user

    return len(list(devices_for_user(user, confirmed=None)))


@transaction.atomic
def reset_two_factor(user) -> int:
    """Delete the account's authenticator devices (a lost phone); returns how many.
    The person sets up a new one at their next console sign-in."""
    from django_otp import devices_for_user

    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)
