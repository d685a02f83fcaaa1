"""URLs served on every city's host (the city's schema is active)."""

from django.contrib import admin
from django.urls import path, re_path

from kanal import views
from ranking import views as ranking_views

urlpatterns = [
    path("", views.city_home, name="city-home"),
    path("config/logo", views.city_logo, name="city-logo"),
    path("peringkat/", ranking_views.ranking_list, name="ranking-list"),
    path("peringkat/v<int:version>/", ranking_views.ranking_detail, name="ranking-detail"),
    re_path(
        r"^peringkat/v(?P<version>[0-9]+)\.(?P<fmt>csv|xlsx|png)$",
        ranking_views.ranking_download,
        name="ranking-download",
    ),
    path("admin/", admin.site.urls),
]
