"""Insight for supervisors: trends, hot spots, response times, overdue list, map and downloads.

Every endpoint needs a supervisor's bearer token (an agent sees the queue, not the city's
picture) and takes the same filters. Definitions: `citybot.backend.services.insight`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from citybot.backend.deps import DB, AppSettings, ReadSession, supervisor
from citybot.backend.errors import invalid
from citybot.backend.schemas import ErrorOut
from citybot.backend.services import insight, insight_export, insight_geo, statuses
from citybot.backend.validation import clean_text
from citybot.client.insight import InsightFilters, InsightSummary

router = APIRouter(
    prefix="/api/v1/agent/insight",
    tags=["Insight"],
    dependencies=[Depends(supervisor)],
    responses={code: {"model": ErrorOut} for code in (401, 403, 422)},
)
GEOJSON = "application/geo+json"
_EARLIEST, _LATEST = dt.date(2000, 1, 1), dt.date(2100, 1, 1)


def insight_filters(
    date_from: Annotated[dt.date | None, Query(description="YYYY-MM-DD, the city's calendar, inclusive")] = None,
    date_to: Annotated[dt.date | None, Query(description="YYYY-MM-DD, the city's calendar, inclusive")] = None,
    category: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    kelurahan: Annotated[str | None, Query(max_length=80)] = None,
) -> InsightFilters:
    for day in (date_from, date_to):
        if day is not None and not _EARLIEST <= day <= _LATEST:
            raise invalid("invalid_date", "Tanggal di luar jangkauan.")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise invalid("invalid_date_range", "Tanggal awal harus sebelum atau sama dengan tanggal akhir.")
    if status is not None and status not in statuses.LABELS:
        raise invalid("invalid_status", "Status tidak dikenal.")
    return InsightFilters(
        date_from=date_from,
        date_to=date_to,
        category=category,
        status=status,
        kelurahan=clean_text(kelurahan, "kelurahan", 80),
    )


Filters = Annotated[InsightFilters, Depends(insight_filters)]


def _geojson(data: dict[str, Any]) -> Response:
    # Straight to bytes: FastAPI's generic encoder walks every one of the 5,000 features again.
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, media_type=GEOJSON)


@router.get("/summary", response_model=InsightSummary, summary="Totals, weekly counts, hot spots, durations, overdue")
def summary(db: DB, session: ReadSession, settings: AppSettings, filters: Filters) -> InsightSummary:
    with db.read() as side:
        return insight.summary(session, filters, settings.profile, side_session=side)


@router.get(
    "/map",
    summary="Complaints as GeoJSON points (newest 5,000; no coordinates -> the kelurahan's centroid)",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def complaints_map(session: ReadSession, settings: AppSettings, filters: Filters) -> Response:
    return _geojson(insight_geo.complaints_map(session, filters, settings.profile))


@router.get(
    "/areas",
    summary="The city's kelurahan centroids as GeoJSON, with the bounding box",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def areas(settings: AppSettings) -> Response:
    return _geojson(insight_geo.areas(settings.profile))


def _download(db: DB, settings: AppSettings, filters: InsightFilters, fmt: str) -> StreamingResponse:
    profile = settings.profile

    def chunks() -> Iterator[str]:
        # The session lives in the generator: the request's own session is closed before streaming.
        with db.read() as session:
            rows = insight_export.export_rows(session, filters, profile)
            if fmt == "csv":
                yield from insight_export.csv_chunks(rows)
            else:
                yield from insight_export.geojson_chunks(rows)

    with db.read() as session:
        total = insight_export.matching(session, filters, profile)
    today = dt.datetime.now(profile.zone).date().isoformat()
    media = "text/csv; charset=utf-8" if fmt == "csv" else GEOJSON
    headers = {
        "Content-Disposition": f'attachment; filename="pengaduan-{profile.key}-{today}.{fmt}"',
        # Streamed, so no Content-Length: these say how much is coming and whether it was capped.
        "X-Total-Count": str(total),
        "X-Export-Rows": str(min(total, insight_export.EXPORT_MAX_ROWS)),
    }
    return StreamingResponse(chunks(), media_type=media, headers=headers)


@router.get(
    "/complaints.csv",
    summary="Download complaints as CSV (no reporter details; descriptions masked)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def complaints_csv(db: DB, settings: AppSettings, filters: Filters) -> StreamingResponse:
    return _download(db, settings, filters, "csv")


@router.get(
    "/complaints.geojson",
    summary="Download complaints as GeoJSON (no reporter details; descriptions masked)",
    response_class=StreamingResponse,
    responses={200: {"content": {GEOJSON: {}}}},
)
def complaints_geojson(db: DB, settings: AppSettings, filters: Filters) -> StreamingResponse:
    return _download(db, settings, filters, "geojson")
