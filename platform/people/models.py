"""People of one city: citizens who report, and the roles of its staff.

Staff are Django users of the city's own schema; a role ties a user to what
they may do and, for OPD roles, to the OPD they act for.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _


class Citizen(models.Model):
    """A reporter, known by a verified phone number (E.164, e.g. +6281234567890),
    or, for one who only ever wrote by e-mail, by that verified address."""

    phone = models.CharField(_("nomor telepon"), max_length=20, unique=True, null=True, blank=True)
    email = models.EmailField(_("surel"), max_length=254, unique=True, null=True, blank=True)
    name = models.CharField(_("nama"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("terdaftar"), auto_now_add=True)
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)

    class Meta:
        verbose_name = _("warga")
        verbose_name_plural = _("warga")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phone__isnull=False) | models.Q(email__isnull=False),
                name="citizen_has_address",
            )
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        return masked_phone(self.phone) if self.phone else masked_email(self.email)


def masked_phone(phone: str | None) -> str:
    """+6281234567890 → +62812••••890: enough for staff to recognise, safe in logs."""
    return phone[:6] + "••••" + phone[-3:] if phone and len(phone) > 9 else "••••"


def masked_email(email: str | None) -> str:
    """warga@contoh.id → w••••@contoh.id."""
    local, _at, domain = (email or "").partition("@")
    return f"{local[:1]}••••@{domain}" if domain else "••••"


class OtpChallenge(models.Model):
    """A one-time code sent to a phone. Only a keyed hash of the code is stored."""

    phone = models.CharField(max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kode OTP")
        verbose_name_plural = _("kode OTP")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{masked_phone(self.phone)} @ {self.created_at:%Y-%m-%d %H:%M}"


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SURVEY_OFFICER = "survey_officer", _("Petugas survei lapangan")
    OPD_RESPONDER = "opd_responder", _("Petugas OPD")
    OPD_HEAD = "opd_head", _("Kepala OPD")
    COMMAND_CENTER = "command_center", _("Command center")
    DISKOMINFO_ADMIN = "diskominfo_admin", _("Admin Diskominfo")


OPD_ROLES = {Role.OPD_RESPONDER, Role.OPD_HEAD}


class StaffRole(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kanal_roles"
    )
    role = models.CharField(_("peran"), max_length=24, choices=Role.choices)
    opd = models.ForeignKey(
        "cityconfig.Opd",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_roles",
        help_text=_("Wajib untuk petugas dan kepala OPD."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("peran petugas")
        verbose_name_plural = _("peran petugas")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "opd"], nulls_distinct=False, name="staff_role_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["opd_responder", "opd_head"])
                | models.Q(opd__isnull=False),
                name="staff_role_opd_roles_need_opd",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}" + (f" · {self.opd}" if self.opd else "")


class AccessToken(models.Model):
    """A bearer token for the apps, bound to this city: its text names the city
    (``knl_<slug>_…``) and it exists only in this city's schema, so a Mataram
    token means nothing on Pangkalpinang's host (ISOLATION.md #6)."""

    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=64)  # "knl_<slug>_" + a few characters
    citizen = models.ForeignKey(
        Citizen, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("token akses")
        verbose_name_plural = _("token akses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(citizen__isnull=False) ^ models.Q(user__isnull=False),
                name="access_token_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…"


class StaffProfile(models.Model):
    """What a staff account needs beyond Django's user: a phone number to reach
    them (the invitation is shown to the admin until issue 18 sends it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    phone = models.CharField(_("nomor telepon"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("profil petugas")
        verbose_name_plural = _("profil petugas")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(phone=""), name="staff_phone_unique"
            )
        ]

    def __str__(self) -> str:
        return masked_phone(self.phone) if self.phone else str(self.user)


class StaffMember(User):
    """The console's view of a city's staff accounts (a proxy: same table as
    auth's users), so its permissions are the console's, not auth's."""

    class Meta:
        proxy = True
        verbose_name = _("petugas")
        verbose_name_plural = _("petugas")
