"""URLs served on every city's host (the city's schema is active)."""

from django.contrib import admin
from django.urls import path

from kanal import views

urlpatterns = [
    path("", views.city_home, name="city-home"),
    path("config/logo", views.city_logo, name="city-logo"),
    path("admin/", admin.site.urls),
]
