"""Who is acting: every service takes an :class:`Actor` and checks it.

Permissions live in the services, so the API, admin, commands and jobs all get
the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from people.models import OPD_ROLES, Citizen, Role, StaffRole

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class Actor:
    kind: str  # "citizen" | "staff" | "system" | "anonymous"
    label: str
    citizen: Citizen | None = None
    user: AbstractBaseUser | None = None
    roles: frozenset[str] = frozenset()
    opd_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def for_citizen(cls, citizen: Citizen) -> Actor:
        return cls("citizen", str(citizen), citizen=citizen)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls("anonymous", "Anonim")

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls("system", f"Sistem ({label})")

    @classmethod
    def for_staff(cls, user: AbstractBaseUser) -> Actor:
        """A staff member with their roles; OPD roles carry the OPDs they act for."""
        roles = list(StaffRole.objects.filter(user=user).values_list("role", "opd_id"))
        role_names = {role for role, _ in roles}
        opd_ids = {opd_id for role, opd_id in roles if role in OPD_ROLES and opd_id}
        if getattr(user, "is_superuser", False):
            role_names.add(Role.DISKOMINFO_ADMIN)
        return cls(
            "staff",
            user.get_full_name() or user.get_username(),
            user=user,
            roles=frozenset(role_names),
            opd_ids=frozenset(opd_ids),
        )

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def is_reporter_of(self, report) -> bool:
        return self.citizen is not None and report.reporter_id == self.citizen.pk

    def acts_for_opd(self, opd_id: int | None) -> bool:
        return opd_id is not None and opd_id in self.opd_ids

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_system(self) -> bool:
        return self.kind == "system"
