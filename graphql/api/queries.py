"""Queries: each resolves through the core's selectors and services."""

from __future__ import annotations

import enum
from datetime import date

import strawberry
import strawberry_django
from django.db.models import Case, Prefetch, When
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from api import types as t
from api.inbox import InboxQuery
from api.pagination import KanalCursorConnection
from cityconfig.models import Area, CategoryGroup, Opd
from cityconfig.models import Category as CategoryModel
from cityconfig.schema import INDONESIAN_TIME_ZONES, NATIONAL_EMERGENCY, duration_minutes
from cityconfig.selectors import city_profile, features, verification_policy
from kanal.errors import InvalidInput, NotFound, PermissionDenied
from kanal.i18n import pick
from reports import figures
from reports.access import WATCHERS, work_queue
from reports.models import Status
from reports.selectors import nearby_open_reports, public_reports, report_for, visible_reports
from routing.services import check_coordinates, locate_area

MAX_PAGE = 100


def _language(lang: str | None) -> None:
    if lang:
        if lang not in ("id", "en"):
            raise InvalidInput(
                field="lang",
                code="UNKNOWN_LANGUAGE",
                message=_("Bahasa: id atau en."),
            )
        translation.activate(lang)


def require_staff(info: strawberry.Info, *roles: str):
    actor = info.context.actor
    if not actor.is_staff or (roles and not actor.has_role(*roles)):
        raise PermissionDenied(
            message=_("Khusus petugas yang berwenang."),
        )
    return actor


@strawberry.input
class BoundingBox:
    south: float
    west: float
    north: float
    east: float


@strawberry.input
class ReportFilter:
    bbox: BoundingBox | None = None
    category_code: str | None = None
    status: str | None = None


@strawberry.input(description="Narrows a work queue; every condition given must hold.")
class QueueFilter:
    status: str | None = None
    category_code: str | None = None
    area_code: str | None = strawberry.field(
        default=None, description="The area or any area inside it"
    )
    due_soon: bool = strawberry.field(
        default=False, description="Past the city's at-risk point, not yet overdue"
    )
    overdue: bool = False
    search: str = strawberry.field(default="", description="A tracking code, or text")


@strawberry.enum
class QueueKind(enum.Enum):
    TRIAGE = "triage"
    FIELD_SURVEY = "field_survey"
    NEEDS_INFO = "needs_info"
    MY_OPD = "my_opd"
    OVERDUE = "overdue"


@strawberry.input
class PeriodInput:
    start: date
    end: date


def _support(support) -> t.Support:
    numbers = support.emergency or NATIONAL_EMERGENCY
    return t.Support(
        phone=support.phone,
        whatsapp=support.whatsapp,
        email=support.email,
        website=support.website,
        address=support.address,
        emergency=[
            t.EmergencyNumber(name=pick(n.name.id, n.name.en), number=n.number) for n in numbers
        ],
    )


def _app_config(info: strawberry.Info) -> t.AppConfig:
    profile = city_profile()
    city = info.context.city
    branding, identity = profile.branding_config, profile.identity_config
    policy, flags = verification_policy(profile), features(profile)
    tagline = branding.tagline
    center = shape(profile.boundary).representative_point()
    return t.AppConfig(
        city_slug=city.slug,
        city_name=identity.name,
        official_name=identity.official_name,
        province=identity.province,
        app_name=branding.app_name,
        branding=t.Branding(
            app_name=branding.app_name,
            responder_app_name=branding.responder_app_name,
            tagline=pick(tagline.id, tagline.en) if tagline else None,
            colors=t.Colors(**branding.colors.model_dump()),
            logo_url="/config/logo",
            support=_support(branding.support),
        ),
        locales=identity.locales,
        default_locale=identity.default_locale,
        time_zone=identity.time_zone,
        time_zone_abbreviation=INDONESIAN_TIME_ZONES[identity.time_zone],
        channels=profile.channels,
        priorities=profile.priorities,
        verification=t.VerificationPolicySummary(
            photo_required=policy.photo_required,
            max_photo_age_minutes=duration_minutes(policy.max_photo_age),
            max_gps_distance_m=policy.max_gps_distance_m,
            require_inside_city=policy.require_inside_city,
            operator_triage=policy.operator_triage,
            field_survey=policy.field_survey,
            anonymous_reports=flags.anonymous_reports,
        ),
        features=t.FeatureFlags(**flags.model_dump()),
        boundary=profile.boundary,
        center_latitude=center.y,
        center_longitude=center.x,
        map_tiles=t.MapTiles(**branding.map.model_dump()) if branding.map else None,
    )


@strawberry.type
class Query(InboxQuery):  # the operators' inbox: api/inbox.py
    @strawberry.field(description="Everything a white-label app needs to dress up as this city.")
    def app_config(self, info: strawberry.Info, lang: str | None = None) -> t.AppConfig:
        _language(lang)
        return _app_config(info)

    @strawberry.field(description="Active categories grouped, in the caller's language.")
    def categories(self, lang: str | None = None) -> list[t.CategoryGroup]:
        _language(lang)
        groups = CategoryGroup.objects.active().prefetch_related(
            Prefetch("categories", queryset=CategoryModel.objects.active(), to_attr="live")
        )
        return [
            t.CategoryGroup(code=g.code, name=g.name, categories=g.live) for g in groups if g.live
        ]

    @strawberry_django.field
    def areas(self, level: str | None = None) -> list[t.Area]:
        areas = Area.objects.active()
        return areas.filter(level=level) if level else areas

    @strawberry.field(description="The innermost area whose polygon holds the point; null if none.")
    def locate_area(self, latitude: float, longitude: float) -> t.Area | None:
        check_coordinates(latitude, longitude)
        return locate_area(latitude, longitude)

    @strawberry_django.field
    def opds(self) -> list[t.Opd]:
        return Opd.objects.active()

    @strawberry_django.field
    def report(self, info: strawberry.Info, tracking_code: str) -> t.Report | None:
        """Public view for anyone; private fields for the reporter and staff."""
        try:
            return report_for(info.context.actor, tracking_code)
        except NotFound:  # the same answer for missing and not visible
            return None

    @strawberry_django.connection(KanalCursorConnection[t.Report], max_results=MAX_PAGE)
    def reports(self, info: strawberry.Info, filter: ReportFilter | None = None) -> list[t.Report]:
        if not features().public_feed:
            return public_reports().none()
        qs = public_reports()
        if filter is not None:
            if filter.category_code:
                qs = qs.filter(category__code=filter.category_code)
            if filter.status:
                qs = qs.filter(status=filter.status)
            if filter.bbox:
                box = filter.bbox
                qs = qs.filter(
                    latitude__range=(box.south, box.north), longitude__range=(box.west, box.east)
                )
        return qs.order_by("-created_at", "-tracking_code")

    @strawberry_django.field
    def nearby_reports(
        self,
        latitude: float,
        longitude: float,
        radius_meters: float = 100,
        category_code: str | None = None,
    ) -> list[t.Report]:
        """Open reports around a point, to warn a citizen before a duplicate."""
        from datetime import timedelta

        from django.utils import timezone

        if not 0 < radius_meters <= 1000:
            raise InvalidInput(
                field="radiusMeters",
                code="RADIUS_RANGE",
                message=_("Radius 1–1000 meter."),
            )
        category = (
            CategoryModel.objects.filter(code=category_code).first() if category_code else None
        )
        found = nearby_open_reports(
            category_id=category.pk if category else None,
            latitude=latitude,
            longitude=longitude,
            radius_m=radius_meters,
            since=timezone.now() - timedelta(days=30),
        )
        visible = set(
            public_reports().filter(pk__in=[r.pk for r, _ in found]).values_list("pk", flat=True)
        )
        ordered = [r.pk for r, _ in found if r.pk in visible][:20]
        nearest_first = Case(*[When(pk=pk, then=pos) for pos, pk in enumerate(ordered)])
        return public_reports().filter(pk__in=ordered).order_by(nearest_first)

    @strawberry_django.connection(KanalCursorConnection[t.Report], max_results=MAX_PAGE)
    def my_reports(self, info: strawberry.Info) -> list[t.Report]:
        actor = info.context.actor
        if actor.citizen is None:
            raise PermissionDenied(
                code="UNAUTHENTICATED",
                message=_("Masuk dulu dengan nomor telepon."),
            )
        return visible_reports(actor).order_by("-created_at", "-tracking_code")

    @strawberry_django.connection(KanalCursorConnection[t.Report], max_results=MAX_PAGE)
    def report_queue(
        self, info: strawberry.Info, kind: QueueKind, filter: QueueFilter | None = None
    ) -> list[t.Report]:
        """Work queues: operators' triage, survey teams, an OPD's own reports, overdue."""
        from dataclasses import asdict

        from django.utils import timezone

        from reports.queue_filters import QueueNarrowing, narrow_queue

        actor = require_staff(info)
        now = timezone.now()
        qs = work_queue(visible_reports(actor), actor, kind.value, now)
        if filter is not None:
            qs = narrow_queue(qs, QueueNarrowing(**asdict(filter)), now)
        return qs.order_by("-created_at", "-tracking_code")

    @strawberry.field(description="Staff: replies to start from, in the reader's language.")
    def response_templates(self, info: strawberry.Info) -> list[t.ResponseTemplate]:
        from reports.replies import response_templates

        actor = require_staff(info)
        return [t.ResponseTemplate(**vars(r)) for r in response_templates(actor)]

    @strawberry.field(description="A ranking computed now; staff only (not yet published).")
    def opd_ranking(self, info: strawberry.Info, period: PeriodInput) -> t.OpdRanking:
        from ranking.services import compute_ranking

        require_staff(info)
        result = compute_ranking(period.start, period.end)
        return t.OpdRanking(
            period_start=result.period_start,
            period_end=result.period_end,
            published=False,
            version=None,
            title=None,
            content_sha256=None,
            rows=t.ranking_rows(result.rows_json()),
        )

    @strawberry.field(description="Published rankings, newest first (immutable versions).")
    def published_rankings(self, limit: int = 10) -> list[t.OpdRanking]:
        from ranking.models import RankingSnapshot

        if not features().published_rankings:
            return []
        return [
            t.OpdRanking(
                period_start=s.period_start,
                period_end=s.period_end,
                published=True,
                version=s.version,
                title=s.title,
                content_sha256=s.content_sha256,
                rows=t.ranking_rows(s.rows),
            )
            for s in RankingSnapshot.objects.all()[: max(1, min(limit, 50))]
        ]

    @strawberry.field(description="Command-center figures.")
    def dashboard(self, info: strawberry.Info, days: int = 30) -> t.Dashboard:
        require_staff(info, *WATCHERS)
        counts = figures.counts_by_status()
        return t.Dashboard(
            by_status=[
                t.StatusCount(status=s, label=str(Status(s).label), count=n)
                for s, n in counts.items()
            ],
            overdue_by_opd=[
                t.OpdCount(opd_code=r["opd_code"], opd_name=r["opd_name"], count=r["overdue"])
                for r in figures.overdue_by_opd()
            ],
            open_by_kecamatan=[
                t.AreaCount(code=r["code"], name=r["name"], count=r["open"])
                for r in figures.reports_by_kecamatan()
            ],
            trend=[t.DayCount(**d) for d in figures.daily_trend(max(1, min(days, 366)))],
            open_reports=[
                t.MapReport(**r, status_label=str(Status(r["status"]).label))
                for r in figures.open_reports()
            ],
        )
