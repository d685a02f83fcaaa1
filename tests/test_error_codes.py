"""Error codes are a contract (issue 13 §4): every code the source can raise is
listed in kanal.error_codes, and the API exposes them as the ErrorCode enum."""

from __future__ import annotations

import re
from pathlib import Path

from kanal.error_codes import AREAS, ErrorCode
from tests.api.conftest import Api

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["platform", "graphql", "kanal", "tenants", "onboarding"]
# code="X" in a raise, PhotoRejected("X", …), Refused(status, "X", …)
PATTERNS = [
    re.compile(r'\bcode\s*=\s*"([A-Z][A-Z0-9_]+)"'),
    re.compile(r'PhotoRejected\(\s*"([A-Z][A-Z0-9_]+)"'),
    re.compile(r'Refused\(\s*\d+,\s*"([A-Z][A-Z0-9_]+)"'),
]


def raised_codes() -> dict[str, str]:
    found = {}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            for pattern in PATTERNS:
                for code in pattern.findall(text):
                    found.setdefault(code, str(path.relative_to(ROOT)))
    return found


def test_every_raised_code_is_in_the_enum():
    listed = {member.value for member in ErrorCode}
    missing = {code: where for code, where in raised_codes().items() if code not in listed}
    assert not missing, f"add these to kanal/error_codes.py: {missing}"


def test_each_code_belongs_to_one_area():
    seen: dict[str, str] = {}
    for area in AREAS:
        for member in area:
            assert member.value not in seen, (member.value, seen[member.value], area.__name__)
            seen[member.value] = area.__name__


def test_the_schema_declares_the_enum_and_payloads_use_it(world):
    schema = (ROOT / "graphql" / "schema.graphql").read_text()
    assert "enum ErrorCode {" in schema
    assert re.search(r"type Error \{\s+field: String\s+code: ErrorCode!", schema)
    world("mataram")
    answer = Api("mataram").raw(
        'mutation { requestOtp(phone: "12") { sent errors { field code message } } }'
    )
    [error] = answer.json()["data"]["requestOtp"]["errors"]
    assert (error["field"], error["code"]) == ("phone", "INVALID_PHONE")
