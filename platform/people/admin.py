"""The console's "Petugas" screen: invite staff, give roles and OPDs, reset a
password or an authenticator, deactivate. Views are thin: every rule is in
:mod:`people.staff`. Lookups run in the city's own schema, so another city's
account IDs simply do not exist here (404)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from kanal.console import Tool, register_tool
from kanal.errors import ServiceError
from people import staff
from people.models import Citizen, StaffMember, StaffRole
from people.staff_forms import InviteStaffForm, StaffDetailsForm, role_formset


class TwoFactorFilter(admin.SimpleListFilter):
    title = _("autentikasi dua langkah")
    parameter_name = "2fa"

    def lookups(self, request, model_admin):
        return [("yes", _("Sudah diatur")), ("no", _("Belum diatur"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(totpdevice__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(totpdevice__isnull=True)
        return queryset


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = (
        "display_name",
        "contact",
        "roles_in_words",
        "opds",
        "is_active",
        "two_factor",
        "last_login",
    )
    list_display_links = ("display_name",)
    list_filter = ("is_active", "kanal_roles__role", TwoFactorFilter)
    search_fields = ("username", "first_name", "last_name", "email", "staff_profile__phone")
    ordering = ("first_name", "username")
    actions = ("deactivate_selected", "reactivate_selected")

    class Media:
        css = {"all": ("console/staff.css",)}

    def get_queryset(self, request):
        roles = StaffRole.objects.select_related("opd").order_by("role", "opd__name")
        return (
            super()
            .get_queryset(request)
            .select_related("staff_profile")
            .prefetch_related(Prefetch("kanal_roles", queryset=roles), "totpdevice_set")
        )

    @admin.display(description=_("nama"), ordering="first_name")
    def display_name(self, user):
        return user.get_full_name() or user.get_username()

    @admin.display(description=_("telepon / e-mail"))
    def contact(self, user):
        profile = getattr(user, "staff_profile", None)
        return " · ".join(x for x in ((profile.phone if profile else ""), user.email) if x) or "—"

    @admin.display(description=_("peran"))
    def roles_in_words(self, user):
        names = dict.fromkeys(str(r.get_role_display()) for r in user.kanal_roles.all())
        if user.is_superuser:
            names[str(_("Superuser"))] = None
        return ", ".join(names) or _("— belum ada peran (tidak dapat masuk aplikasi)")

    @admin.display(description=_("OPD"))
    def opds(self, user):
        names = dict.fromkeys(r.opd.name for r in user.kanal_roles.all() if r.opd_id)
        return format_html_join(", ", "{}", ((n,) for n in names)) or "—"

    @admin.display(description=_("2FA"), boolean=True)
    def two_factor(self, user):
        return bool(user.totpdevice_set.all())

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("invite/", view(self.invite_view), name="people_staffmember_invite"),
            path("<int:pk>/manage/", view(self.manage_view), name="people_staffmember_manage"),
            path(
                "<int:pk>/<str:what>/confirm/",
                view(self.confirm_view),
                name="people_staffmember_confirm",
            ),
            *super().get_urls(),
        ]

    # The generic add/change forms would expose auth's raw fields: use ours.
    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:people_staffmember_invite"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        return HttpResponseRedirect(reverse("admin:people_staffmember_manage", args=[object_id]))

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted (reports name who acted)

    def _member(self, request, pk: int, *, change: bool):
        allowed = self.has_change_permission if change else self.has_view_permission
        if not allowed(request):
            raise Http404
        member = StaffMember.objects.filter(pk=pk).first()
        if member is None:
            raise Http404
        return member

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "changelist_url": reverse("admin:people_staffmember_changelist"),
            **extra,
        }

    def invite_view(self, request):
        if not self.has_add_permission(request):
            raise Http404
        form = InviteStaffForm(request.POST or None)
        roles = role_formset(request.POST or None, invite=True)
        if request.method == "POST" and form.is_valid() & roles.is_valid():
            try:
                invited = staff.invite_staff(
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    email=form.cleaned_data["email"],
                    username=form.cleaned_data["username"],
                    roles=roles.grants(),
                )
            except ServiceError as exc:
                form.show(exc)
            else:
                self.log_addition(request, invited.user, [{"added": {}}])
                return self._password_page(request, invited.user, invited.temporary_password, True)
        context = self._context(request, _("Undang petugas"), form=form, roles=roles)
        return TemplateResponse(request, "people/console/staff_invite.html", context)

    def _password_page(self, request, member, password: str, invited: bool):
        context = self._context(
            request,
            _("Petugas diundang") if invited else _("Kata sandi baru"),
            member=member,
            password=password,
            invited=invited,
            apps=staff.apps_of(member),
            manage_url=reverse("admin:people_staffmember_manage", args=[member.pk]),
        )
        response = TemplateResponse(request, "people/console/staff_password.html", context)
        response["Cache-Control"] = "no-store"  # the password is shown once, never cached
        return response

    def manage_view(self, request, pk: int):
        member = self._member(request, pk, change=request.method == "POST")
        profile = getattr(member, "staff_profile", None)
        initial = {
            "name": member.get_full_name(),
            "phone": profile.phone if profile else "",
            "email": member.email,
        }
        current = [{"role": r.role, "opd": r.opd} for r in member.kanal_roles.all()]
        form = StaffDetailsForm(request.POST or None, initial=initial)
        roles = role_formset(request.POST or None, initial=current or None)
        if request.method == "POST" and form.is_valid() & roles.is_valid():
            try:
                with transaction.atomic():  # both or neither
                    staff.update_staff(member, **form.cleaned_data)
                    staff.set_roles(member, roles.grants(), by=request.user)
            except ServiceError as exc:
                form.show(exc)
            else:
                self.log_change(request, member, [{"changed": {}}])
                messages.success(request, _("Data petugas disimpan."))
                return HttpResponseRedirect(request.path)
        context = self._context(
            request,
            _("Petugas: %(name)s") % {"name": member.get_full_name() or member.get_username()},
            member=member,
            form=form,
            roles=roles,
            devices=staff.two_factor_devices(member),
            can_change=self.has_change_permission(request),
            apps=staff.apps_of(member),
        )
        return TemplateResponse(request, "people/console/staff_manage.html", context)

    CONFIRM = {
        "password": (
            _("Atur ulang kata sandi"),
            _(
                "Kata sandi lama berhenti berlaku dan semua sesi serta token aplikasinya "
                "berakhir. Kata sandi sementara yang baru ditampilkan sekali."
            ),
        ),
        "2fa": (
            _("Atur ulang autentikasi dua langkah"),
            _(
                "Perangkat autentikator (mis. HP yang hilang) dihapus. Petugas mengatur "
                "perangkat baru saat masuk konsol berikutnya."
            ),
        ),
        "deactivate": (
            _("Nonaktifkan akun"),
            _(
                "Akun tidak dapat masuk lagi; sesi dan token aplikasinya berakhir sekarang. "
                "Laporan yang pernah ditanganinya tetap tercatat."
            ),
        ),
        "reactivate": (
            _("Aktifkan kembali akun"),
            _("Akun dapat masuk lagi dengan kata sandinya."),
        ),
    }

    def confirm_view(self, request, pk: int, what: str):
        if what not in self.CONFIRM:
            raise Http404
        member = self._member(request, pk, change=True)
        manage = reverse("admin:people_staffmember_manage", args=[member.pk])
        if request.method == "POST":
            try:
                if what == "password":
                    password = staff.reset_password(member)
                    self.log_change(request, member, [{"changed": {"fields": ["password"]}}])
                    return self._password_page(request, member, password, False)
                if what == "2fa":
                    removed = staff.reset_two_factor(member)
                    messages.success(
                        request, _("Perangkat autentikator dihapus: %(n)s.") % {"n": removed}
                    )
                elif what == "deactivate":
                    staff.deactivate(member, by=request.user)
                    messages.success(request, _("Akun dinonaktifkan."))
                else:
                    staff.reactivate(member)
                    messages.success(request, _("Akun aktif kembali."))
            except ServiceError as exc:
                messages.error(request, exc.message)
            self.log_change(request, member, [{"changed": {"fields": [what]}}])
            return HttpResponseRedirect(manage)
        title, explanation = self.CONFIRM[what]
        context = self._context(
            request, title, member=member, explanation=explanation, manage_url=manage, what=what
        )
        return TemplateResponse(request, "people/console/staff_confirm.html", context)

    @admin.action(description=_("Nonaktifkan petugas terpilih"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        return self._bulk(request, queryset, "deactivate")

    @admin.action(description=_("Aktifkan kembali petugas terpilih"), permissions=["change"])
    def reactivate_selected(self, request, queryset):
        return self._bulk(request, queryset, "reactivate")

    def _bulk(self, request, queryset, what: str):
        """Django's action flow with a confirmation page (like "delete selected")."""
        if request.POST.get("confirmed") != "yes":
            title, explanation = self.CONFIRM[what]
            context = self._context(
                request,
                title,
                members=list(queryset),
                explanation=explanation,
                action=request.POST.get("action"),
                selected=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            )
            return TemplateResponse(request, "people/console/staff_confirm_bulk.html", context)
        done = 0
        for member in queryset:
            try:
                if what == "deactivate":
                    staff.deactivate(member, by=request.user)
                else:
                    staff.reactivate(member)
                done += 1
            except ServiceError as exc:
                messages.error(request, f"{member}: {exc.message}")
        messages.success(request, _("Akun diperbarui: %(n)s.") % {"n": done})
        return None


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_at", "verified_at")
    search_fields = ("phone", "name")
    readonly_fields = ("phone", "created_at", "verified_at")


register_tool(
    Tool(
        url_name="admin:people_staffmember_invite",
        label=_("Undang petugas"),
        help=_("Akun baru dengan peran dan OPD; kata sandi sementara ditampilkan sekali."),
        permission="people.add_staffmember",
        order=70,
    )
)
