"""The console's staff forms: what a Diskominfo admin types. The rules are in
:mod:`people.staff`; these forms only shape input and place its errors."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from kanal.errors import ServiceError
from people import staff
from people.models import OPD_ROLES, Role
from people.staff import RoleGrant


class StaffDetailsForm(forms.Form):
    name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    phone = forms.CharField(
        label=_("Nomor telepon"),
        max_length=40,
        required=False,
        help_text=_("Contoh: 0812 3456 7890. Isi telepon atau e-mail (salah satu cukup)."),
    )
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)

    def clean_phone(self) -> str:
        return self._checked("phone", staff.clean_phone)

    def clean_email(self) -> str:
        return self._checked("email", staff.clean_email)

    def _checked(self, name: str, check) -> str:
        """The service's own check, run here too so every error shows at once."""
        try:
            return check(self.cleaned_data[name])
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from None

    def show(self, error: ServiceError) -> None:
        """A service refusal next to its field (or above the form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class InviteStaffForm(StaffDetailsForm):
    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        required=False,
        help_text=_("Kosongkan agar dibuat dari nama (mis. budi.santoso)."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Peran"), choices=[("", "—"), *Role.choices], required=False)
    opd = forms.ModelChoiceField(
        label=_("OPD"),
        queryset=None,
        required=False,
        help_text=_("Wajib untuk petugas dan kepala OPD."),
    )

    def __init__(self, *args, **kwargs):
        from cityconfig.models import Opd

        super().__init__(*args, **kwargs)
        self.fields["opd"].queryset = Opd.objects.filter(active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("role") in OPD_ROLES and not data.get("opd"):
            self.add_error("opd", _("Pilih OPD untuk peran ini."))
        if data.get("opd") and not data.get("role"):
            self.add_error("role", _("Pilih peran untuk OPD ini."))
        return data


class BaseRoleFormSet(forms.BaseFormSet):
    require_one = False

    def grants(self) -> list[RoleGrant]:
        out = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get("role"):
                opd = data.get("opd") if data["role"] in OPD_ROLES else None
                out.append(RoleGrant(data["role"], opd.pk if opd else None))
        return out

    def clean(self):
        if any(self.errors):
            return
        if self.require_one and not self.grants():
            raise forms.ValidationError(
                _("Beri sekurang-kurangnya satu peran, agar petugas dapat masuk aplikasi.")
            )


class InviteRoleFormSet(BaseRoleFormSet):
    require_one = True


def role_formset(data=None, *, initial=None, invite: bool = False):
    cls = formset_factory(
        RoleForm,
        formset=InviteRoleFormSet if invite else BaseRoleFormSet,
        extra=2 if initial else 3,
    )
    return cls(data, initial=initial, prefix="roles")
