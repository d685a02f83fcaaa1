"""URLs of the vendor's public site (the bare base domain, public schema)."""

from django.contrib import admin
from django.urls import path

from kanal import views

urlpatterns = [
    path("", views.platform_home, name="platform-home"),
    path("admin/", admin.site.urls),
]
