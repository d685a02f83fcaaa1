"""GraphQL types: thin views of the core's models, localized and permission-aware.

Nested relations carry optimizer hints (``select_related``/``prefetch_related``),
so a page of reports with categories, OPDs, photos and timelines costs a fixed
number of queries whatever its size (tests/api/test_query_counts.py).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry
import strawberry_django
from strawberry import relay

from cityconfig import models as config_models
from kanal.i18n import reads_english
from people.models import masked_phone
from reports import models as report_models
from reports.access import can_see_private
from reports.allowed import allowed_actions
from reports.outcome import action_label
from reports.outcome import outcome as report_outcome
from reports.photo_links import photo_path, signed_photo_url
from reports.selectors import is_public_report


def _lang_is_en() -> bool:
    return reads_english()


def _can_see_private(info: strawberry.Info, report: report_models.Report) -> bool:
    return can_see_private(info.context.actor, report)


@strawberry.type
class Colors:
    primary: str
    secondary: str
    accent: str | None
    text_on_primary: str


@strawberry.type
class EmergencyNumber:
    name: str
    number: str


@strawberry.type
class Support:
    phone: str | None
    whatsapp: str | None
    email: str | None
    website: str | None
    address: str | None
    emergency: list[EmergencyNumber] = strawberry.field(
        description="Numbers to call in an emergency, the city's own or 112"
    )


@strawberry.type
class Branding:
    app_name: str
    responder_app_name: str | None
    tagline: str | None
    colors: Colors
    logo_url: str
    support: Support


@strawberry.type(description="Raster tiles under the maps; none: boundary on a plain background.")
class MapTiles:
    tile_url: str = strawberry.field(description="XYZ template with {z}, {x} and {y}.")
    attribution: str
    max_zoom: int


@strawberry.type
class VerificationPolicySummary:
    photo_required: bool
    max_photo_age_minutes: int
    max_gps_distance_m: int
    require_inside_city: bool
    operator_triage: str
    field_survey: str
    anonymous_reports: bool


@strawberry.type
class FeatureFlags:
    anonymous_reports: bool
    public_feed: bool
    citizen_rating: bool
    published_rankings: bool


@strawberry.type
class AppConfig:
    city_slug: str
    city_name: str
    official_name: str
    province: str
    app_name: str
    branding: Branding
    locales: list[str]
    default_locale: str
    time_zone: str
    time_zone_abbreviation: str
    channels: list[str]
    priorities: list[str]
    verification: VerificationPolicySummary
    features: FeatureFlags
    boundary: strawberry.scalars.JSON
    center_latitude: float
    center_longitude: float
    map_tiles: MapTiles | None


@strawberry_django.type(config_models.Category)
class Category:
    code: str
    photo_required: bool | None
    emergency: bool

    @strawberry_django.field(only=["name_id", "name_en"])
    def name(self) -> str:
        return self.name_en if _lang_is_en() else self.name_id

    @strawberry_django.field(only=["description_id", "description_en"])
    def description(self) -> str:
        return self.description_en if _lang_is_en() else self.description_id


@strawberry.type
class CategoryGroup:
    code: str
    name: str
    categories: list[Category]


@strawberry_django.type(config_models.Area)
class Area:
    code: str
    name: str
    level: str
    boundary: strawberry.scalars.JSON | None = strawberry.field(
        description="GeoJSON Polygon/MultiPolygon [longitude, latitude]; null when unknown"
    )

    @strawberry_django.field(select_related=["parent"], only=["parent__code"])
    def parent_code(self) -> str | None:
        return self.parent.code if self.parent_id else None


@strawberry_django.type(config_models.Opd)
class Opd:
    code: str
    name: str
    short_name: str
    kind: str
    responder: bool

    @strawberry_django.field(select_related=["parent"], only=["parent__code"])
    def parent_code(self) -> str | None:
        return self.parent.code if self.parent_id else None

    @strawberry_django.field(select_related=["parent"])
    def parent(self) -> Opd | None:
        """The OPD above (bidang → dinas, kelurahan → kecamatan): where escalations go."""
        return self.parent


@strawberry.enum
class CheckResult(enum.Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@strawberry.type
class VerificationCheck:
    name: str
    result: CheckResult
    reason: str


@strawberry.type
class Verification:
    verdict: str
    checks: list[VerificationCheck]


@strawberry.type
class ReportOutcome:
    state: str = strawberry.field(description="sent | review | rejected | done")
    headline: str
    reasons: list[str]
    can_retry_photo: bool = strawberry.field(
        description="Rejected for its photo: the reporter may send the report again with a new one"
    )


@strawberry_django.type(report_models.Photo)
class Photo:
    kind: str
    position: int
    width: int
    height: int
    taken_at: datetime | None

    @strawberry_django.field(
        select_related=["report"],
        only=[
            "report__tracking_code",
            "report__is_public",
            "report__hidden",
            "report__status",
            "kind",
            "position",
        ],
    )
    def url(self) -> str:
        """A plain link for photos of the public feed; for a report that is not
        public (rejected, under review, private) a signed, expiring one, which
        only those who could fetch the report are ever given."""
        code = self.report.tracking_code
        if is_public_report(self.report):
            return photo_path(code, self.kind, self.position)
        return signed_photo_url(code, self.kind, self.position)


@strawberry_django.type(report_models.TimelineEntry)
class TimelineEvent:
    created_at: datetime
    action: str
    from_status: str
    to_status: str
    note: str
    public: bool
    actor_kind: str

    @strawberry_django.field(only=["action", "to_status"])
    def label(self) -> str:
        """The entry in plain words in the reader's language (``action`` is the code)."""
        return action_label(self.action, self.to_status)

    @strawberry_django.field(only=["actor_kind", "actor_label"])
    def actor(self) -> str:
        # Staff names are shown; citizens stay anonymous in public.
        return "Pelapor" if self.actor_kind in ("citizen", "anonymous") else self.actor_label


@strawberry_django.type(report_models.Report)
class Report(relay.Node):
    tracking_code: relay.NodeID[str]
    status: str
    category: Category
    latitude: float
    longitude: float
    address: str
    created_at: datetime
    updated_at: datetime
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    resolved_at: datetime | None
    sla_state: str
    rating: int | None
    reopen_count: int

    @strawberry_django.field(name="trackingCode", only=["tracking_code"])
    def tracking_code_text(self) -> str:
        """The code a citizen reads over the phone (the node id is its global form)."""
        return self.tracking_code

    @strawberry_django.field(only=["status"])
    def status_label(self) -> str:
        return str(report_models.Status(self.status).label)

    @strawberry_django.field(only=["description", "public_description"])
    def description(self) -> str:
        return self.shown_description

    @strawberry_django.field(select_related=["opd"])
    def opd(self) -> Opd | None:
        return self.opd

    @strawberry_django.field(select_related=["area"])
    def area(self) -> Area | None:
        return self.area

    # The report's own fields that decide a photo's link (plain or signed) load
    # with the page, not once per photo.
    @strawberry_django.field(prefetch_related=["photos"], only=["is_public", "hidden", "status"])
    def photos(self) -> list[Photo]:
        return list(self.photos.all())

    @strawberry_django.field(prefetch_related=["timeline"])
    def timeline(self, info: strawberry.Info) -> list[TimelineEvent]:
        private = _can_see_private(info, self)
        return [entry for entry in self.timeline.all() if entry.public or private]

    @strawberry_django.field(only=["verdict", "checks", "reporter_id", "opd_id"])
    def verification(self, info: strawberry.Info) -> Verification | None:
        """Shown to the reporter and staff: why a report was verified or rejected."""
        if not _can_see_private(info, self):
            return None
        en = _lang_is_en()
        return Verification(
            verdict=self.verdict,
            checks=[
                VerificationCheck(
                    name=c["name"],
                    result=CheckResult(c["result"]),
                    reason=c["reason_en"] if en else c["reason_id"],
                )
                for c in self.checks
            ],
        )

    @strawberry_django.field(
        select_related=["merged_into"], only=["merged_into_id", "merged_into__tracking_code"]
    )
    def merged_into_code(self) -> str | None:
        """The report this one was merged into: where its news continues."""
        return self.merged_into.tracking_code if self.merged_into_id else None

    @strawberry_django.field(
        select_related=["opd", "merged_into"],
        prefetch_related=["timeline"],
        only=[
            "status",
            "checks",
            "reporter_id",
            "opd_id",
            "opd__name",
            "merged_into_id",
            "merged_into__tracking_code",
        ],
    )
    def outcome(self, info: strawberry.Info) -> ReportOutcome | None:
        """What happened, as the reporter should read it now (the checks' verdict
        until an operator decides, then the operator's decision)."""
        if not _can_see_private(info, self):
            return None
        result = report_outcome(self)
        return ReportOutcome(
            state=result.state,
            headline=result.headline,
            reasons=result.reasons,
            can_retry_photo=result.can_retry_photo and info.context.actor.is_reporter_of(self),
        )

    @strawberry_django.field(only=["reporter_id"])
    def is_mine(self, info: strawberry.Info) -> bool:
        return info.context.actor.is_reporter_of(self)

    @strawberry_django.field(select_related=["reporter"], only=["reporter__phone", "channel"])
    def reporter_phone(self, info: strawberry.Info) -> str | None:
        """Masked, and only for staff."""
        if not info.context.actor.is_staff or not _can_see_private(info, self):
            return None
        if not self.reporter_id or not self.reporter.phone:
            return None
        return masked_phone(self.reporter.phone)

    @strawberry_django.field(only=["channel"])
    def channel(self) -> str:
        return self.channel

    @strawberry_django.field(only=["possible_duplicates"])
    def possible_duplicates(self, info: strawberry.Info) -> list[str]:
        return list(self.possible_duplicates) if info.context.actor.is_staff else []

    # --- the operator workbench (staff only) ----------------------------------

    @strawberry_django.field(
        only=["status", "hidden", "opd_id", "reporter_id"],
        description="Workbench actions the caller may take now; empty for citizens.",
    )
    def allowed_actions(self, info: strawberry.Info) -> list[str]:
        return allowed_actions(info.context.actor, self)

    @strawberry_django.field(only=["priority"])
    def priority(self) -> str:
        return self.priority

    @strawberry_django.field(only=["hidden"], description="Hidden from the public by a moderator.")
    def hidden(self) -> bool:
        return self.hidden

    @strawberry_django.field(
        only=["description", "public_description", "reporter_id", "opd_id"],
        description="The reporter's own text, for staff, when a moderator edited the public one.",
    )
    def original_description(self, info: strawberry.Info) -> str | None:
        if not info.context.actor.is_staff or not _can_see_private(info, self):
            return None
        return self.description if self.public_description else None


@strawberry.type
class RankingRow:
    rank: int | None
    opd_code: str
    opd_name: str
    kind: str
    territorial: bool
    received: int
    responded_within_pct: float | None
    resolved_within_pct: float | None
    response_median_minutes: float | None
    response_p90_minutes: float | None
    resolution_median_minutes: float | None
    resolution_p90_minutes: float | None
    reopen_rate_pct: float | None
    rating_avg: float | None
    overdue: int
    score: float | None
    red_card: bool
    red_card_reasons: list[str]


@strawberry.type
class OpdRanking:
    period_start: date
    period_end: date
    published: bool
    version: int | None
    title: str | None
    content_sha256: str | None
    rows: list[RankingRow]


def ranking_rows(rows: list[dict]) -> list[RankingRow]:
    en = _lang_is_en()
    fields = RankingRow.__annotations__.keys()
    return [
        RankingRow(
            **{k: row.get(k) for k in fields if k != "red_card_reasons"},
            red_card_reasons=[r["en" if en else "id"] for r in row.get("red_card_reasons", [])],
        )
        for row in rows
    ]


@strawberry.type
class StatusCount:
    status: str
    label: str
    count: int


@strawberry.type
class OpdCount:
    opd_code: str | None
    opd_name: str | None
    count: int


@strawberry.type
class AreaCount:
    code: str
    name: str
    count: int


@strawberry.type
class DayCount:
    date: date
    received: int
    resolved: int


@strawberry.type(description="An open report on the command center's map.")
class MapReport:
    tracking_code: str
    status: str
    status_label: str
    latitude: float
    longitude: float
    overdue: bool


@strawberry.type
class Dashboard:
    by_status: list[StatusCount]
    overdue_by_opd: list[OpdCount]
    open_by_kecamatan: list[AreaCount]
    trend: list[DayCount]
    open_reports: list[MapReport] = strawberry.field(
        description="Open reports (newest first, at most 3000) for the map."
    )


@strawberry.type(
    description="A reply staff may start from; the body's {kode}, {opd} and {tanggal} are "
    "filled in by the app (tracking code, OPD holding the report, today)."
)
class ResponseTemplate:
    code: str
    use: str = strawberry.field(description="note, ask, resolve or any")
    title: str
    body: str
    city: bool = strawberry.field(description="Written by the city (else built in)")
