"""Calling the GraphQL API over HTTP the way the apps do: the operation
documents in graphql/operations/, the city's Host header, bearer tokens,
multipart uploads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


def document(name: str) -> str:
    text = (OPERATIONS / f"{name}.graphql").read_text()
    for fragment in sorted(set(re.findall(r"\.\.\.(\w+)", text))):
        text += "\n" + (OPERATIONS / f"{fragment}.graphql").read_text()
    return text


class Api:
    def __init__(self, slug: str, token: str | None = None, language: str = "id"):
        self.slug = slug
        self.token = token
        self.client = Client(HTTP_HOST=f"{slug}.localhost", HTTP_ACCEPT_LANGUAGE=language)

    def raw(self, query: str, variables: dict | None = None, *, files=None, token=None):
        headers = {}
        if token or self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token or self.token}"
        if not files:
            return self.client.post(
                "/graphql/",
                json.dumps({"query": query, "variables": variables or {}}),
                content_type="application/json",
                **headers,
            )
        # GraphQL multipart request spec: operations + map + the files.
        variables = dict(variables or {})
        mapping, data = {}, {}
        for index, (path, content) in enumerate(files):
            key = str(index)
            mapping[key] = [f"variables.{path}"]
            data[key] = SimpleUploadedFile(f"foto{index}.jpg", content, content_type="image/jpeg")
        for path, _ in files:
            name, _, position = path.partition(".")
            variables.setdefault(name, [])
            if position:
                variables[name].append(None)
        data["operations"] = json.dumps({"query": query, "variables": variables})
        data["map"] = json.dumps(mapping)
        return self.client.post("/graphql/", data, **headers)

    def op(self, name: str, variables: dict | None = None, *, files=None, token=None) -> dict:
        response = self.raw(document(name), variables, files=files, token=token)
        assert response.status_code == 200, response.content[:500]
        return response.json()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield


@pytest.fixture
def api():
    return Api
