"""The console's Wawasan tab (supervisors): report map, trends, overdue list, emergency and
handoff signals, CSV/GeoJSON downloads; and the vendored map/chart libraries it loads.

Figures about complaints and emergency replies come from the city backend (its insight
endpoints, called with the supervisor's own backend token); handoff figures from the gateway's
own database. Agents get 403 here; editors see the gap report only (`/agent/api/gaps`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse

from citybot.client.errors import BackendUnavailable, CityClientError
from citybot.client.transport import check_status, drop_none
from citybot.gateway import agents
from citybot.gateway.console import Agent, _city, _hub
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


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None
    date_to: dt.date | None
    category: str | None
    status: str | None
    kelurahan: str | None

    def params(self) -> dict[str, Any]:
        return drop_none(
            {
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "category": self.category or None,
                "status": self.status or None,
                "kelurahan": self.kelurahan or None,
            }
        )


def filters(
    date_from: Annotated[dt.date | None, Query()] = None,
    date_to: Annotated[dt.date | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    kelurahan: Annotated[str | None, Query(max_length=80)] = None,
) -> Filters:
    return Filters(date_from, date_to, category, status, kelurahan)


Filtered = Annotated[Filters, Depends(filters)]


async def _backend_json(request: Request, agent: agents.CurrentAgent, path: str, params: dict[str, Any]) -> Any:
    token = _backend_token(agent)
    try:
        async with _city(request) as city:
            return await city._get(f"{INSIGHT}/{path}", params, headers=city._bearer(token))
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
    return await _backend_json(request, agent, "summary", f.params())


@router.get("/api/insight/map", response_model=None)
async def insight_map(request: Request, agent: Supervisor, f: Filtered) -> Any:
    return await _backend_json(request, agent, "map", f.params())


@router.get("/api/insight/areas", response_model=None)
async def insight_areas(request: Request, agent: Supervisor) -> Any:
    return await _backend_json(request, agent, "areas", {})


@router.get("/api/insight/emergencies", response_model=None)
async def insight_emergencies(request: Request, agent: Supervisor, days: Annotated[int, Query(ge=1, le=90)] = 7) -> Any:
    return await _backend_json(request, agent, "emergencies", {"days": days})


@router.get("/api/insight/handoffs")
async def insight_handoffs(request: Request, agent: Supervisor) -> dict[str, Any]:
    hub = _hub(request)
    return await hub.run_db(lambda s: handoff_summary(s, hub.office_hours))  # type: ignore[no-any-return]


EXPORTS = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


async def _export(request: Request, agent: agents.CurrentAgent, kind: str, f: Filters) -> Response:
    """Streams the backend's download through, chunk by chunk (large exports stay out of memory)."""
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
    return StreamingResponse(
        body(),
        media_type=EXPORTS[kind],
        headers={
            "Content-Disposition": f'attachment; filename="laporan-{today}.{kind}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/api/insight/export.csv", response_model=None)
async def export_csv(request: Request, agent: Supervisor, f: Filtered) -> Response:
    return await _export(request, agent, "csv", f)


@router.get("/api/insight/export.geojson", response_model=None)
async def export_geojson(request: Request, agent: Supervisor, f: Filtered) -> Response:
    return await _export(request, agent, "geojson", f)


@router.get("/api/complaints/{ticket}", response_model=None)
async def complaint_detail(ticket: str, request: Request, agent: Agent) -> dict[str, Any] | JSONResponse:
    """One complaint with its history, for the console's detail view (the list shows the same)."""
    if agent.role not in ("agent", "supervisor"):
        raise HTTPException(status_code=403, detail="Detail laporan hanya untuk petugas dan supervisor.")
    _backend_token(agent)  # only accounts the city backend knows
    if not ticket.replace("-", "").isalnum() or len(ticket) > 32:
        raise HTTPException(status_code=404, detail="Laporan tidak ditemukan.")
    try:
        async with _city(request) as city:
            found = await city.get_complaint(ticket)
    except CityClientError as exc:
        return _city_error(exc)
    return found.model_dump(mode="json")
