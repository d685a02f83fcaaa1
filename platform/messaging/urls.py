from django.urls import path

from messaging import media_views, views

urlpatterns = [
    path("whatsapp/webhook/", views.webhook, {"channel": "whatsapp"}, name="whatsapp-webhook"),
    path("telegram/webhook/", views.webhook, {"channel": "telegram"}, name="telegram-webhook"),
    path("sms/inbound/", views.webhook, {"channel": "sms"}, name="sms-inbound"),
    path("sms/status/", views.webhook, {"channel": "sms"}, name="sms-status"),
    path("email/inbound/", views.webhook, {"channel": "email"}, name="email-inbound"),
    path("media/<str:uid>/<int:position>", media_views.inbox_media, name="inbox-media"),
]
