"""Rendering Open311 documents as JSON or XML from the same plain dicts.

Views build one structure (dicts, lists, strings, numbers, booleans, None);
this module writes it in the format the URL asked for. XML follows the
GeoReport v2 examples: a list is a wrapper element whose items repeat one
element name (``<services><service>…``), ``None`` is an empty element.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from xml.etree import ElementTree as ET

from django.http import HttpResponse

NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# Wrapper element → item element, for lists nested inside documents.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def render(data: dict | list, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    """``data`` as a JSON or XML response; ``root`` names the XML root element
    (for a list, its items are named from :data:`ITEM_NAMES`)."""
    if fmt == "xml":
        body = to_xml(data, root)
    else:
        body = json.dumps(data, ensure_ascii=False, default=_json_default).encode()
    return HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["json"]))


def to_xml(data: dict | list, root: str) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    ET.indent(element)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode()


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        child = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, child), item)
    elif value is not None:
        element.text = _text(value)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    # Characters XML 1.0 cannot carry (a citizen's text may hold them) would break parsers.
    return NOT_IN_XML.sub("", str(value))


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
