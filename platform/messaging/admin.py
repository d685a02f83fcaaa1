"""Diskominfo's view of the messaging channels: the status page (connected,
secrets present in this environment, webhook addresses, the last day's
traffic). Messages themselves are read and answered in the operators' inbox."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kanal.console import Tool, register_tool
from messaging.models import OutboundMessage
from messaging.status import channel_statuses
from reports.models import Channel


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """Sent messages with their delivery status (read-only: history)."""

    list_display = ("created_at", "channel", "recipient", "template", "status", "status_at")
    list_filter = ("status", "conversation__channel")
    date_hierarchy = "created_at"
    change_list_template = "messaging/admin_changelist.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("conversation")

    @admin.display(description=_("kanal"), ordering="conversation__channel")
    def channel(self, obj):
        return obj.conversation.get_channel_display()

    @admin.display(description=_("penerima"))
    def recipient(self, obj):
        return obj.conversation.masked_address

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        status = self.admin_site.admin_view(self.channels_view)
        return [
            path("kanal/", status, name="messaging_channels"),
            *super().get_urls(),
        ]

    def channels_view(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        rows = [
            {
                "status": s,
                "label": Channel(s.channel).label,
                "webhook_url": request.build_absolute_uri(s.webhook_path),
            }
            for s in channel_statuses()
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Kanal pesan"),
            "rows": rows,
        }
        return TemplateResponse(request, "messaging/admin_channels.html", context)


register_tool(
    Tool(
        url_name="admin:messaging_channels",
        label=_("Kanal pesan"),
        help=_(
            "WhatsApp, Telegram, SMS dan surel: tersambung atau belum, alamat webhook, lalu lintas sehari."  # noqa: E501
        ),
        permission="messaging.view_outboundmessage",
        order=70,
    )
)
