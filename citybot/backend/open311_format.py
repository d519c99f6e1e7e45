"""GeoReport v2 output formats: XML (required by the spec) and JSON (optional, Spark convention).

Handlers build plain Python data (the JSON shape); `render` turns it into either format. The
spec's JSON is a mechanical mapping of its XML, so one table of collection -> item element names
(`services` -> `service`, ...) is enough to go back the other way. Standard library only.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import Response

Format = Literal["json", "xml"]

XML_MEDIA_TYPE = "text/xml; charset=utf-8"
JSON_MEDIA_TYPE = "application/json; charset=utf-8"

# Element name of one item inside each collection element, as the spec writes them.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def requested_format(request: Request) -> Format:
    """The format is the resource's extension (`/services.xml`); anything else answers JSON."""
    return "xml" if request.url.path.endswith(".xml") else "json"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return  # an empty element, as in the spec's examples (`<account_id/>`)
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item_name), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """`root` is the outer element (`services`, `service_requests`, `discovery`, ...)."""
    element = ET.Element(root)
    _fill(element, data)
    # The spec asks for the XML declaration with the UTF-8 encoding before the root element.
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(fmt: Format, root: str, data: Any, status_code: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, data), status_code=status_code, media_type=XML_MEDIA_TYPE)
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status_code, media_type=JSON_MEDIA_TYPE)


# Status codes the spec allows: 404 for what does not exist, 403 for a wrong or missing api_key,
# 400 for any other request that cannot be fulfilled. Rate limits (429) and an unavailable
# database (503) keep their own codes so clients still back off and retry.
_SPEC_STATUS = {401: 403, 409: 400, 413: 400, 415: 400, 422: 400}


def spec_status(status_code: int) -> int:
    return _SPEC_STATUS.get(status_code, status_code)


def error_response(path: str, status_code: int, code: str, message: str, headers: dict[str, str]) -> Response:
    """The spec's error list; `error_code` is our machine code next to the spec's two fields."""
    errors = [{"code": status_code, "description": message, "error_code": code}]
    fmt: Format = "xml" if path.endswith(".xml") else "json"
    response = render(fmt, "errors", errors, status_code)
    response.headers.update(headers)
    return response
