"""The console's Wawasan tab (supervisors): report map, trends, overdue list, emergency and
handoff signals, CSV/GeoJSON downloads; and the vendored map/chart libraries it loads.

Figures about complaints and emergency replies come from the city backend (its insight
endpoints, called with the supervisor's own backend token); handoff figures from the gateway's
own database. Agents get 403 here; editors see the gap report only (`/agent/api/gaps`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse

from citybot.client import CityClient
from citybot.client.errors import BackendUnavailable, CityClientError
from citybot.client.insight import InsightFilters
from citybot.client.signals import SignalsClient
from citybot.client.transport import check_status
from citybot.gateway import agents
from citybot.gateway.console import Agent, Staff, _city, _hub
from citybot.gateway.console_panels import _backend_token, _city_error
from citybot.gateway.handoff_stats import handoff_summary

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
router = APIRouter(prefix="/agent", include_in_schema=False)
static_router = APIRouter(include_in_schema=False)
INSIGHT = "/api/v1/agent/insight"
VENDOR = Path(__file__).parent / "static" / "vendor"
# Exactly the vendored files (static/vendor/README.md); anything else is a 404.
VENDOR_FILES = {
    "leaflet/leaflet.js": "text/javascript",
    "leaflet/leaflet.css": "text/css",
    "leaflet/images/layers.png": "image/png",
    "leaflet/images/layers-2x.png": "image/png",
    "leaflet/images/marker-icon.png": "image/png",
    "leaflet/images/marker-icon-2x.png": "image/png",
    "leaflet/images/marker-shadow.png": "image/png",
    "leaflet.markercluster/leaflet.markercluster.js": "text/javascript",
    "leaflet.markercluster/MarkerCluster.css": "text/css",
    "leaflet.markercluster/MarkerCluster.Default.css": "text/css",
    "chart.js/chart.umd.js": "text/javascript",
}


@static_router.get("/static/vendor/{path:path}", include_in_schema=False)
async def vendor_file(path: str) -> Response:
    if path not in VENDOR_FILES:
        return Response(status_code=404)
    return FileResponse(VENDOR / path, media_type=VENDOR_FILES[path], headers={"Cache-Control": "max-age=86400"})


def require_supervisor(agent: Agent) -> agents.CurrentAgent:
    if not agent.is_supervisor:
        raise HTTPException(status_code=403, detail="Wawasan hanya untuk supervisor.")
    return agent


Supervisor = Annotated[agents.CurrentAgent, Depends(require_supervisor)]


def filters(
    date_from: Annotated[dt.date | None, Query()] = None,
    date_to: Annotated[dt.date | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    kelurahan: Annotated[str | None, Query(max_length=80)] = None,
) -> InsightFilters:
    """The console's filter bar; empty fields mean "all" (the backend validates the values)."""
    return InsightFilters(
        date_from=date_from,
        date_to=date_to,
        category=category or None,
        status=status or None,
        kelurahan=(kelurahan or "").strip() or None,
    )


Filtered = Annotated[InsightFilters, Depends(filters)]


async def _city_call(
    request: Request, agent: agents.CurrentAgent, call: Callable[[CityClient, str], Awaitable[Any]]
) -> Any:
    """One backend call with the supervisor's own backend token; errors become the console's."""
    token = _backend_token(agent)
    try:
        async with _city(request) as city:
            return await call(city, token)
    except CityClientError as exc:
        return _city_error(exc)


@router.get("/api/insight/config")
async def insight_config(request: Request, agent: Supervisor) -> dict[str, Any]:
    """What the map needs besides data: the tile server (empty = none) and its attribution."""
    settings = _hub(request).settings
    return {
        "tile_url": settings.map_tile_url,
        "tile_attribution": settings.map_tile_attribution,
        "timezone": settings.city_timezone,
        "city": settings.city_name,
    }


@router.get("/api/insight/summary", response_model=None)
async def insight_summary(request: Request, agent: Supervisor, f: Filtered) -> Any:
    async def call(city: CityClient, token: str) -> Any:
        return (await city.insight_summary(token, f)).model_dump(mode="json")

    return await _city_call(request, agent, call)


@router.get("/api/insight/map", response_model=None)
async def insight_map(request: Request, agent: Supervisor, f: Filtered) -> Any:
    return await _city_call(request, agent, lambda city, token: city.insight_map(token, f))


@router.get("/api/insight/areas", response_model=None)
async def insight_areas(request: Request, agent: Supervisor) -> Any:
    return await _city_call(request, agent, lambda city, token: city.insight_areas(token))


@router.get("/api/insight/emergencies", response_model=None)
async def insight_emergencies(request: Request, agent: Supervisor, days: Annotated[int, Query(ge=1, le=31)] = 7) -> Any:
    """Emergency replies by type and kelurahan today and over the last `days` days."""
    token = _backend_token(agent)
    settings = _hub(request).settings
    try:
        async with SignalsClient(
            settings.backend_base_url, settings.backend_api_key, timeout=settings.http_timeout_seconds
        ) as signals:
            report = await signals.emergencies(token, days=days)
    except CityClientError as exc:
        return _city_error(exc)
    return {**report.model_dump(mode="json"), "days": days}


@router.get("/api/insight/handoffs")
async def insight_handoffs(request: Request, agent: Supervisor) -> dict[str, Any]:
    hub = _hub(request)
    return await hub.run_db(lambda s: handoff_summary(s, hub.office_hours))


EXPORTS = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


async def _export(request: Request, agent: agents.CurrentAgent, kind: str, f: InsightFilters) -> Response:
    """Streams the backend's download through chunk by chunk, so a city-wide export never sits in
    the gateway's memory (`InsightApi.insight_export` reads it whole; this uses the same client's
    connection, API key and bearer token)."""
    token = _backend_token(agent)
    city = _city(request)
    http = city._http  # the client's own connection settings (TLS, timeouts, API key)
    outgoing = http.build_request("GET", f"{INSIGHT}/complaints.{kind}", params=f.params(), headers=city._bearer(token))
    try:
        upstream = await http.send(outgoing, stream=True)
    except (httpx.TimeoutException, httpx.TransportError):
        await city.aclose()
        return _city_error(BackendUnavailable("insight export"))
    if upstream.status_code >= 400:
        await upstream.aread()
        await upstream.aclose()
        await city.aclose()
        try:
            check_status(upstream)
        except CityClientError as exc:
            return _city_error(exc)
        return _city_error(BackendUnavailable(f"insight export {upstream.status_code}"))

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.aiter_bytes():
                yield chunk
        finally:
            await upstream.aclose()
            await city.aclose()

    today = dt.datetime.now(ZoneInfo(_hub(request).settings.city_timezone)).date().isoformat()
    disposition = upstream.headers.get("content-disposition") or f'attachment; filename="pengaduan-{today}.{kind}"'
    return StreamingResponse(
        body(),
        media_type=EXPORTS[kind],
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


@router.get("/api/insight/export.csv", response_model=None)
async def export_csv(request: Request, agent: Supervisor, f: Filtered) -> Response:
    return await _export(request, agent, "csv", f)


@router.get("/api/insight/export.geojson", response_model=None)
async def export_geojson(request: Request, agent: Supervisor, f: Filtered) -> Response:
    return await _export(request, agent, "geojson", f)


@router.get("/api/complaints/{ticket}", response_model=None)
async def complaint_detail(ticket: str, request: Request, agent: Staff) -> dict[str, Any] | JSONResponse:
    """One complaint with its history, for the console's detail view (the list shows the same);
    agents and supervisors only, like the list."""
    _backend_token(agent)  # only accounts the city backend knows
    if not ticket.replace("-", "").isalnum() or len(ticket) > 32:
        raise HTTPException(status_code=404, detail="Laporan tidak ditemukan.")
    try:
        async with _city(request) as city:
            found = await city.get_complaint(ticket)
    except CityClientError as exc:
        return _city_error(exc)
    return found.model_dump(mode="json")
