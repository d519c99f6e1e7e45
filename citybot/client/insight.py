"""Insight for supervisors (agent console): the typed shapes and the client calls.

`GET /api/v1/agent/insight/{summary,map,areas,complaints.csv,complaints.geojson}` with a
supervisor's bearer token; the definitions of week, first response, overdue, ... are in
`citybot.backend.services.insight`. The map and areas answers are GeoJSON and stay plain dicts
(Leaflet reads them as they are); the summary is typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from citybot.client.transport import ApiTransport

INSIGHT = "/api/v1/agent/insight"
ExportFormat = Literal["csv", "geojson"]


class InsightFilters(BaseModel):
    """The filters every insight call accepts; dates are the city's calendar days, inclusive."""

    model_config = ConfigDict(frozen=True)

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str | None = None
    status: str | None = None
    kelurahan: str | None = None

    def params(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in self if v is not None}


class Totals(BaseModel):
    all: int
    open: int
    closed: int
    overdue: int


class WeeklyCount(BaseModel):
    week: str  # Monday of the ISO week in the city's zone, YYYY-MM-DD
    category: str
    category_name: str
    count: int


class KelurahanCount(BaseModel):
    kelurahan: str
    count: int


class CategoryDurations(BaseModel):
    category: str
    category_name: str
    median_first_response_hours: float | None
    median_completion_hours: float | None
    responded: int
    completed: int


class OverdueItem(BaseModel):
    ticket: str
    category: str
    category_name: str
    kelurahan: str | None
    status: str
    created_at: dt.datetime
    expected_at: dt.datetime
    days_overdue: float


class InsightSummary(BaseModel):
    filters: InsightFilters
    totals: Totals
    weekly: list[WeeklyCount]
    top_kelurahan: list[KelurahanCount]
    durations: list[CategoryDurations]
    overdue: list[OverdueItem]


class InsightApi(ApiTransport):
    """The insight calls; `CityClient` inherits them, so the console needs one client."""

    async def insight_summary(
        self,
        token: str,
        filters: InsightFilters | None = None,
    ) -> InsightSummary:
        data = await self._get(
            f"{INSIGHT}/summary", (filters or InsightFilters()).params(), headers=self._bearer(token)
        )
        return self._as(InsightSummary, data)

    async def insight_map(
        self,
        token: str,
        filters: InsightFilters | None = None,
    ) -> dict[str, Any]:
        """GeoJSON FeatureCollection of complaint points (newest first, capped) with the foreign
        members `total`, `unplaced` and `truncated`."""
        data: dict[str, Any] = await self._get(
            f"{INSIGHT}/map", (filters or InsightFilters()).params(), headers=self._bearer(token)
        )
        return data

    async def insight_areas(self, token: str) -> dict[str, Any]:
        """GeoJSON FeatureCollection of the city's kelurahan centroids, with `bbox`."""
        data: dict[str, Any] = await self._get(f"{INSIGHT}/areas", headers=self._bearer(token))
        return data

    async def insight_export(
        self,
        token: str,
        fmt: ExportFormat,
        filters: InsightFilters | None = None,
    ) -> bytes:
        """The complaints download (CSV or GeoJSON) as the backend sends it: no reporter details,
        descriptions masked."""
        if fmt not in ("csv", "geojson"):
            raise ValueError(f"unknown export format {fmt!r}")
        response = await self._request(
            "GET",
            f"{INSIGHT}/complaints.{fmt}",
            params=(filters or InsightFilters()).params(),
            headers=self._bearer(token),
        )
        return response.content
