"""The English catalog of the Django strings (Indonesian is the source language):
complete, compiled, and what a visitor asking for English actually sees."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from django_tenants.utils import tenant_context

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    plurals: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The key of this entry in a compiled catalog."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def translations(self) -> list[str]:
        return list(self.plurals.values()) if self.msgid_plural is not None else [self.msgstr]


def parse_po(path: Path) -> list[Entry]:
    """A small reader for gettext .po files: comments, flags, msgctxt, plurals and
    continuation lines. Obsolete (``#~``) entries are skipped, as msgfmt skips them."""
    entries: list[Entry] = []
    entry, keyword, seen_msgid = Entry(), "", False

    def flush() -> None:
        nonlocal entry, keyword, seen_msgid
        if seen_msgid:
            entries.append(entry)
        entry, keyword, seen_msgid = Entry(), "", False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if seen_msgid:  # a comment opens the next entry
                flush()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith('"'):
            assert keyword, f"{path.name}:{number}: string without a keyword"
            rest = line
        else:
            new_keyword, _, rest = line.partition(" ")
            starts_entry = new_keyword == "msgctxt" or (
                new_keyword == "msgid" and keyword != "msgctxt"
            )
            if starts_entry and seen_msgid:  # an entry without comments before it
                flush()
            keyword = new_keyword
            if keyword == "msgid":
                seen_msgid, entry.line = True, number
        text = ast.literal_eval(rest)
        assert isinstance(text, str), f"{path.name}:{number}: not a quoted string"
        if keyword.startswith("msgstr["):
            index = int(keyword[len("msgstr[") : -1])
            entry.plurals[index] = entry.plurals.get(index, "") + text
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            setattr(entry, keyword, (getattr(entry, keyword) or "") + text)
        else:
            raise AssertionError(f"{path.name}:{number}: unknown keyword {keyword!r}")
    flush()
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts and ends in the default language: an English request must
    not leave English active for the next test in this thread."""
    translation.deactivate()
    yield
    translation.deactivate()


def describe(entry: Entry) -> str:
    return f"{PO.name}:{entry.line} {entry.msgid!r}"


def test_the_po_reader_sees_what_msgfmt_sees(tmp_path):
    """The checks below are only as good as this reader: flags, context, plurals,
    continuation lines and entries without comments."""
    po = tmp_path / "sample.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "Kota %(city)s"\nmsgstr "City %(city)s"\n\n'
        'msgctxt "status"\nmsgid "Aktif"\nmsgstr ""\n'
        'msgid ""\n"satu "\n"laporan"\nmsgid_plural "%(n)d laporan"\n'
        'msgstr[0] "one report"\nmsgstr[1] "%(n)d reports"\n'
        '#~ msgid "lama"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )
    header, fuzzy, empty, plural = parse_po(po)
    assert header.msgstr == "Language: en\n"
    assert fuzzy.flags == {"fuzzy", "python-format"} and fuzzy.msgstr == "City %(city)s"
    assert empty.key == "status\x04Aktif" and empty.translations == [""]
    assert plural.msgid == "satu laporan" and plural.translations == ["one report", "%(n)d reports"]


# --- The catalog ------------------------------------------------------------------


def test_header_names_the_project_and_the_language(entries):
    header = entries[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    fields = dict(line.split(": ", 1) for line in header.msgstr.splitlines() if ": " in line)
    assert fields["Project-Id-Version"] == "Kanal"
    assert fields["Language"] == "en"
    assert fields["Last-Translator"] == "Kanal <dev@kanal.id>"
    assert fields["Language-Team"] == "Kanal <dev@kanal.id>"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_string_is_translated_and_none_is_fuzzy(entries):
    messages = entries[1:]
    assert len(messages) > 150, "the catalog lost most of its strings"
    assert len({e.key for e in messages}) == len(messages), "duplicate msgid"
    untranslated = [describe(e) for e in messages if not all(t.strip() for t in e.translations)]
    fuzzy = [describe(e) for e in messages if "fuzzy" in e.flags]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy:\n" + "\n".join(fuzzy)


def test_translations_keep_the_placeholders(entries):
    """``%(city)s`` missing or renamed in English is a KeyError or a lost name at runtime."""
    broken = [
        describe(e)
        for e in entries[1:]
        for t in e.translations
        if sorted(PLACEHOLDER.findall(t)) != sorted(PLACEHOLDER.findall(e.msgid))
    ]
    assert not broken, "placeholders differ:\n" + "\n".join(broken)
    python_format = [e for e in entries[1:] if "python-format" in e.flags]
    assert python_format, "no python-format entry: the parser lost the flags"
    assert all(PLACEHOLDER.search(e.msgid) for e in python_format)


def test_compiled_catalog_matches_the_po(entries):
    """The .mo is committed (CI may lack gettext): it must be the .po, compiled."""
    assert MO.exists(), f"{MO.relative_to(ROOT)} is missing: run compilemessages -l en"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = dict(compiled._catalog)  # GNUTranslations has no public way to list it
    expected: dict[object, str] = {}
    for e in entries[1:]:
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr
        else:
            expected.update({(e.key, n): text for n, text in e.plurals.items()})
    catalog.pop("", None)  # the header
    stale = {k: (catalog.get(k), v) for k, v in expected.items() if catalog.get(k) != v}
    extra = sorted(str(k) for k in catalog.keys() - expected.keys())
    assert not stale and not extra, (
        f"{MO.name} is out of date (compiled, .po): {stale}; only in the .mo: {extra}. "
        "Run: manage.py compilemessages -l en --ignore=.venv"
    )
    assert compiled.info()["language"] == "en"


def test_django_uses_the_catalog_for_model_labels():
    """Report statuses and other choices, as an English-speaking user sees them."""
    from reports.models import Report, Status
    from tenants.models import CityStatus

    assert str(Status.IN_PROGRESS.label) == "Sedang dikerjakan"
    with translation.override("en"):
        assert str(Status.IN_PROGRESS.label) == "In progress"
        assert str(Status.ACKNOWLEDGED.label) == "Acknowledged by OPD"
        assert str(CityStatus.SUSPENDED.label) == "Suspended"
        assert str(Report._meta.get_field("tracking_code").verbose_name) == "tracking code"
        assert str(Report._meta.verbose_name) == "report"


# --- What a visitor sees ------------------------------------------------------------


def page(response) -> str:
    return response.content.decode()


def test_ranking_list_page_in_indonesian_by_default_and_in_english_on_request(cities, city_client):
    browser = city_client("pangkalpinang")  # publishes rankings; none published yet
    indonesian = browser.get("/peringkat/")
    assert indonesian.status_code == 200
    assert "Peringkat OPD" in page(indonesian)
    assert "Belum ada peringkat yang diterbitkan." in page(indonesian)

    english = browser.get("/peringkat/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    assert english["Content-Language"] == "en"
    assert "<title>OPD ranking · Lapor Mang</title>" in page(english)
    assert '<html lang="en">' in page(english)
    assert "No ranking has been published yet." in page(english)
    assert "Peringkat OPD" not in page(english)
    assert "Belum ada peringkat" not in page(english)

    again = browser.get("/peringkat/", HTTP_ACCEPT_LANGUAGE="id,en;q=0.8")
    assert "Peringkat OPD" in page(again) and "OPD ranking" not in page(again)


def test_published_ranking_page_in_english(cities, city_client):
    from ranking.models import RankingSnapshot

    with tenant_context(cities["serang"]):
        snapshot = RankingSnapshot.objects.create(
            version=1,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            title="Peringkat OPD Serang Oktober 2026",
            published_by="admin",
            weights={},
            rows=[
                {
                    "rank": 1,
                    "opd_name": "Dinas Lingkungan Hidup",
                    "received": 4,
                    "responded_within_pct": 75.0,
                    "resolved_within_pct": 50.0,
                    "rating_avg": 4.3,
                    "overdue": 1,
                    "score": 71.2,
                    "red_card": False,
                    "red_card_reasons": [],
                }
            ],
            content_sha256="0" * 64,
        )
    browser = city_client("serang")
    url = f"/peringkat/v{snapshot.version}/"

    indonesian = page(browser.get(url))
    assert "Respons tepat waktu" in indonesian and "Rapor merah" in indonesian

    english = browser.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert english.status_code == 200
    headers = [
        "Reports",
        "Responded on time",
        "Resolved on time",
        "Citizen rating",
        "Overdue",
        "Score",
        "Red report card",
    ]
    assert "".join(f"<th>{h}</th>" for h in headers) in page(english)
    assert "Version 1 · published" in page(english)
    assert ">Chart</a>" in page(english)
    assert "Respons tepat waktu" not in page(english)
    assert "Dinas Lingkungan Hidup" in page(english)  # data is not translated


def test_unknown_host_404_in_indonesian_by_default(db):
    response = Client(HTTP_HOST="atlantis.localhost").get("/")
    assert response.status_code == 404
    assert "Kota tidak ditemukan" in page(response)
    assert "Tidak ada kota yang dilayani Kanal di alamat atlantis.localhost." in page(response)


# kanal.middleware.CityMiddleware answers unknown hosts (and suspended and archived
# cities) before LocaleMiddleware runs: it activates the visitor's language itself.


def test_unknown_host_404_in_english_on_request(db):
    response = Client(HTTP_HOST="atlantis.localhost").get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "<h1>City not found</h1>" in page(response)
    assert '<html lang="en">' in page(response)
    assert "No city is served by Kanal at atlantis.localhost." in page(response)
    assert "Kota tidak ditemukan" not in page(response)


def test_unknown_host_json_error_in_english_for_apps(db):
    response = Client(HTTP_HOST="atlantis.localhost").get(
        "/graphql/", HTTP_ACCEPT_LANGUAGE="en", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "UNKNOWN_HOST"
    assert error["title"] == "City not found"
    assert error["message"] == "No city is served by Kanal at atlantis.localhost."


def test_an_english_visitor_does_not_change_the_next_visitors_404(cities, city_client):
    city_client("pangkalpinang").get("/peringkat/", HTTP_ACCEPT_LANGUAGE="en")
    response = Client(HTTP_HOST="atlantis.localhost").get("/")  # no Accept-Language
    assert "Kota tidak ditemukan" in page(response)
    assert "City not found" not in page(response)


# ------------------------------------------------- every server message is in the catalog

SERVER_CODE = ("platform", "graphql", "tenants", "onboarding", "kanal")
MARKERS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def _marked_strings() -> Iterator[tuple[str, str | None, str]]:
    """Every literal passed to a gettext marker in the server's code, with its
    context and where it is (so a new message without a translation is named)."""
    for root in SERVER_CODE:
        for path in sorted((ROOT / root).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                if node.func.id not in MARKERS or not node.args:
                    continue
                args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if node.func.id.startswith("pgettext") and len(args) >= 2:
                    if isinstance(args[0], str) and isinstance(args[1], str):
                        yield args[1], args[0], where
                elif isinstance(args[0], str):
                    yield args[0], None, where


def test_every_message_marked_in_the_server_code_has_an_english_translation(entries):
    """Service errors, photo refusals and pages: a message marked for translation
    but missing from the catalog would reach an English reader in Indonesian."""
    translated = {e.key for e in entries if all(e.translations) and "fuzzy" not in e.flags}
    marked = list(_marked_strings())
    assert len(marked) > 150  # the walk finds the service errors, not just a few pages
    missing = [
        where
        for msgid, context, where in marked
        if (msgid if context is None else f"{context}\x04{msgid}") not in translated
    ]
    assert not missing, f"not translated in locale/en: {missing}"


def _unlookupable(value: ast.expr) -> bool:
    """A literal or formatted string; ``_("…") % {…}`` (translated, then filled) is fine."""
    if isinstance(value, ast.BinOp):
        return _unlookupable(value.left)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        return value.func.attr == "format"
    return isinstance(value, ast.JoinedStr | ast.Constant)


def test_service_errors_are_not_built_from_formatted_strings():
    """A message assembled with an f-string or .format cannot be looked up in a
    catalog; the values go in ``params`` instead."""
    offenders = []
    for root in SERVER_CODE:
        for path in sorted((ROOT / root).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "message" and _unlookupable(keyword.value):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_a_service_error_reads_in_the_language_asked_for():
    from kanal.errors import InvalidInput
    from kanal.i18n import lazy_pick

    error = InvalidInput(
        code="PHOTO_REQUIRED",
        message=translation.gettext_lazy("Laporan %(category)s wajib menyertakan foto."),
        params={"category": lazy_pick("Jalan rusak", "Damaged road")},
    )
    assert error.message_in("id") == "Laporan Jalan rusak wajib menyertakan foto."
    assert error.message_in("en") == "A Damaged road report needs a photo."
    with translation.override("en"):
        assert error.message == "A Damaged road report needs a photo."
    assert str(error) == "PHOTO_REQUIRED: A Damaged road report needs a photo."
