"""Open311 GeoReport v2 conformance, checked against the spec's own tables.

The tables below are copied from the spec (wiki.open311.org/GeoReport_v2 and /Service_Discovery):
for each resource, the fields a response must carry ("May not be returned" fields are left out)
and the element names of the XML. Every resource is read in JSON and in XML (parsed with the
standard library) and both must carry the same required fields with the same values.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from tests.backend.conftest import API_KEY, Backend, transport
from tests.backend.helpers import unique

pytestmark = pytest.mark.postgres

# resource -> (XML root, XML item element or None for a single object, required fields)
SPEC: dict[str, tuple[str, str | None, set[str]]] = {
    "discovery": ("discovery", None, {"changeset", "contact", "key_service", "endpoints"}),
    "services": (
        "services",
        "service",
        {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"},
    ),
    "service_definition": ("service_definition", None, {"service_code", "attributes"}),
    "post_request": ("service_requests", "request", {"service_request_id"}),
    "requests": (
        "service_requests",
        "request",
        {
            "service_request_id",
            "status",
            "service_name",
            "service_code",
            "description",
            "requested_datetime",
            "updated_datetime",
            "address",
            "address_id",
            "zipcode",
            "lat",
            "long",
            "media_url",
        },
    ),
    "errors": ("errors", "error", {"code", "description"}),
}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}  # discovery endpoints.endpoint
STRICT_VALUES = {
    "metadata": {"true", "false"},
    "type": {"realtime", "batch", "blackbox", "production", "test"},
    "status": {"open", "closed"},
}
DATETIME_FIELDS = {"requested_datetime", "updated_datetime", "expected_datetime"}


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def xml_items(response: httpx.Response, resource: str) -> list[ET.Element]:
    root_name, item_name, _ = SPEC[resource]
    assert response.headers["content-type"].startswith("text/xml"), response.headers
    assert "utf-8" in response.headers["content-type"].lower()
    assert response.content.lower().startswith(
        b"<?xml version='1.0' encoding='utf-8'?>"
    ) or response.content.lower().startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's answer; the spec asks for stdlib parsing
    assert root.tag == root_name
    if item_name is None:
        return [root]
    assert all(child.tag == item_name for child in root), [c.tag for c in root]
    return list(root)


def json_items(response: httpx.Response, resource: str) -> list[dict[str, Any]]:
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    return [body] if SPEC[resource][1] is None else body


def check_fields(resource: str, item: dict[str, Any]) -> None:
    required = SPEC[resource][2]
    assert required <= item.keys(), (resource, required - item.keys())
    for field, allowed in STRICT_VALUES.items():
        if field in item and resource != "errors":
            assert as_text(item[field]) in allowed, (resource, field, item[field])
    for field in DATETIME_FIELDS & item.keys():
        if item[field]:
            assert dt.datetime.fromisoformat(item[field]).utcoffset() is not None  # zone is a must


async def conforms(http: httpx.AsyncClient, resource: str, path: str, **kwargs: Any) -> list[dict[str, Any]]:
    """GET (or POST with `data`) `path` in both formats; returns the JSON items after checking both."""
    method = "POST" if "data" in kwargs else "GET"
    as_json = await http.request(method, f"{path}.json", **kwargs)
    as_xml = await http.request(method, f"{path}.xml", **kwargs) if method == "GET" else None
    items = json_items(as_json, resource)
    assert items, resource
    for item in items:
        check_fields(resource, item)
    if as_xml is not None:
        assert as_xml.status_code == as_json.status_code
        elements = xml_items(as_xml, resource)
        assert len(elements) == len(items)
        for element, item in zip(elements, items, strict=True):
            children = {child.tag: child for child in element}
            assert SPEC[resource][2] <= children.keys(), (resource, SPEC[resource][2] - children.keys())
            for field in SPEC[resource][2]:
                if not isinstance(item[field], list | dict):
                    assert as_text(children[field].text) == as_text(item[field]), (resource, field)
    return items


async def test_every_resource_carries_the_specs_fields_in_json_and_xml(backend: Backend) -> None:
    async with httpx.AsyncClient(transport=transport(backend.app), base_url="http://b") as anon:
        [discovery] = await conforms(anon, "discovery", "/open311/discovery")
        [endpoint] = discovery["endpoints"]
        assert ENDPOINT_FIELDS <= endpoint.keys()
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert {"text/xml", "application/json"} <= set(endpoint["formats"])
        xml_discovery = ET.fromstring((await anon.get("/open311/discovery.xml")).content)  # noqa: S314
        formats = [f.text for f in xml_discovery.findall("./endpoints/endpoint/formats/format")]
        assert "text/xml" in formats and "application/json" in formats

        services = await conforms(anon, "services", "/open311/v2/services")
        assert all(isinstance(s["keywords"], str) for s in services)  # "a comma separated list"
        assert "," in next(s["keywords"] for s in services if s["service_code"] == "sampah")
        await conforms(anon, "service_definition", "/open311/v2/services/sampah")

        form = {"api_key": API_KEY, "service_code": "sampah", "address_string": unique("Jl. Spesifikasi")}
        created = await anon.post("/open311/v2/requests.xml", data=form)
        assert created.status_code == 201, created.text
        [element] = xml_items(created, "post_request")
        ticket = element.findtext("service_request_id")
        assert ticket and element.find("token") is None  # realtime: an id, never a token
        [posted] = await conforms(anon, "post_request", "/open311/v2/requests", data={**form, "address_string": "x"})
        assert "token" not in posted

        [one] = await conforms(anon, "requests", f"/open311/v2/requests/{ticket}")
        assert one["service_request_id"] == ticket and one["status"] == "open"
        listed = await conforms(anon, "requests", "/open311/v2/requests", params={"service_request_id": ticket})
        assert [r["service_request_id"] for r in listed] == [ticket]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_reading_needs_no_key_and_creating_needs_one(backend: Backend, fmt: str) -> None:
    async with httpx.AsyncClient(transport=transport(backend.app), base_url="http://b") as anon:
        for path in ("/open311/v2/services", "/open311/v2/requests", "/open311/discovery"):
            assert (await anon.get(f"{path}.{fmt}")).status_code == 200, path
        form = {"service_code": "sampah", "lat": "-6.2", "long": "106.8"}
        for key in ({}, {"api_key": "salah"}):
            refused = await anon.post(f"/open311/v2/requests.{fmt}", data={**form, **key})
            assert refused.status_code == 403  # the spec's code for a missing or wrong api_key
            [error] = errors_of(refused, fmt)
            assert error["code"] == "403" and "api_key" in error["description"]
        # Everything outside Open311 still needs the key.
        for path in ("/api/v1/complaints/JKL-2026-000001", "/api/v1/kampung/products?q=kopi"):
            assert (await anon.get(path)).status_code == 401, path


def errors_of(response: httpx.Response, fmt: str) -> list[dict[str, str]]:
    if fmt == "xml":
        elements = xml_items(response, "errors")
        items = [{child.tag: child.text or "" for child in element} for element in elements]
    else:
        items = [{k: str(v) for k, v in item.items()} for item in json_items(response, "errors")]
    for item in items:
        check_fields("errors", item)
    return items


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("method", "path", "params", "status", "error_code"),
    [
        ("POST", "/open311/v2/requests", {"lat": "-6.2", "long": "106.8"}, 400, "invalid_input"),  # no service_code
        ("POST", "/open311/v2/requests", {"service_code": "sampah"}, 400, "location_required"),
        (
            "POST",
            "/open311/v2/requests",
            {"service_code": "tidak-ada", "lat": "-6.2", "long": "106.8"},
            404,
            "unknown_service",
        ),
        (
            "POST",
            "/open311/v2/requests",
            {"service_code": "sampah", "address_string": "x", "jurisdiction_id": "mars"},
            404,
            "unknown_jurisdiction",
        ),
        ("GET", "/open311/v2/requests", {"jurisdiction_id": "mars.go.id"}, 404, "unknown_jurisdiction"),
        ("GET", "/open311/v2/services", {"jurisdiction_id": "mars.go.id"}, 404, "unknown_jurisdiction"),
        (
            "GET",
            "/open311/v2/requests",
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            400,
            "date_range_too_long",
        ),
        ("GET", "/open311/v2/requests", {"start_date": "kemarin"}, 400, "invalid_date"),
        ("GET", "/open311/v2/requests/JKL-1999-999999", {}, 404, "complaint_not_found"),
        ("GET", "/open311/v2/services/tidak-ada", {}, 404, "unknown_service"),
        ("GET", "/open311/v2/tokens/12345", {}, 404, "token_not_found"),
    ],
)
async def test_rejections_use_the_specs_status_codes_and_error_list(
    http: httpx.AsyncClient, fmt: str, method: str, path: str, params: dict[str, str], status: int, error_code: str
) -> None:
    if method == "POST":
        response = await http.post(f"{path}.{fmt}", data=params)
    else:
        response = await http.get(f"{path}.{fmt}", params=params)
    assert response.status_code == status, response.text
    [error] = errors_of(response, fmt)
    assert error["code"] == str(status) and error["error_code"] == error_code
    assert error["description"][0].isupper()  # an Indonesian sentence for the user


async def test_a_start_date_alone_covers_ninety_days_and_known_jurisdictions_filter(http: httpx.AsyncClient) -> None:
    address = unique("Jl. Rentang")
    created = await http.post(
        "/open311/v2/requests.json",
        data={"service_code": "banjir", "address_string": address, "jurisdiction_id": "makassarkota.go.id"},
    )
    assert created.status_code == 201, created.text
    ticket = created.json()[0]["service_request_id"]
    now = dt.datetime.now(dt.UTC)
    recent = (now - dt.timedelta(days=1)).isoformat()
    long_ago = (now - dt.timedelta(days=200)).isoformat()
    found = await http.get("/open311/v2/requests.json", params={"start_date": recent})
    assert ticket in {r["service_request_id"] for r in found.json()}
    # start_date 200 days ago: the range ends 90 days later, long before this request.
    old = await http.get("/open311/v2/requests.json", params={"start_date": long_ago})
    assert old.status_code == 200 and ticket not in {r["service_request_id"] for r in old.json()}
    mks = await http.get("/open311/v2/requests.json", params={"jurisdiction_id": "makassarkota.go.id"})
    jkt = await http.get("/open311/v2/requests.json", params={"jurisdiction_id": "jakarta.go.id"})
    assert ticket in {r["service_request_id"] for r in mks.json()}
    assert ticket not in {r["service_request_id"] for r in jkt.json()}


async def test_public_reads_mask_a_phone_number_typed_into_the_description(
    backend: Backend, http: httpx.AsyncClient
) -> None:
    created = await http.post(
        "/open311/v2/requests.json",
        data={"service_code": "sampah", "address_string": unique("Jl."), "description": "Hubungi saya 081234567890"},
    )
    ticket = created.json()[0]["service_request_id"]
    async with httpx.AsyncClient(transport=transport(backend.app), base_url="http://b") as anon:
        [public] = (await anon.get(f"/open311/v2/requests/{ticket}.json")).json()
    assert "081234567890" not in public["description"] and public["description"].startswith("Hubungi saya 0812")
