"""URLs served on every city's host (the city's schema is active)."""

from django.contrib import admin
from django.urls import include, path, re_path

from api.views import KanalGraphQLView
from kanal import views
from ranking import views as ranking_views
from reports import views as report_views

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
    path("graphql/", KanalGraphQLView.as_view(), name="graphql"),
    path(
        "media/laporan/<str:tracking_code>/<str:kind>/<int:position>.jpg",
        report_views.public_photo,
        name="report-photo",
    ),
    path("open311/", include("open311.urls")),
    path("admin/", admin.site.urls),
]
