"""The complaints download for supervisors: CSV and GeoJSON, streamed row by row.

What leaves the console here may be mailed around and opened anywhere, so it carries no reporter
field at all (name, phone, e-mail, channel address, device) and the description goes through
`citybot.privacy.mask_text` (NIK and phone numbers a citizen typed). Rows are read with a
server-side cursor in batches, so 100,000 complaints stream in constant memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from citybot.backend.models import Complaint
from citybot.backend.open311 import target_time
from citybot.backend.services.insight import Catalogue, conditions
from citybot.backend.services.insight_durations import aware, history_times
from citybot.backend.services.insight_geo import local_iso, place, point
from citybot.city_models import CityProfile
from citybot.client.insight import InsightFilters
from citybot.privacy import mask_text

EXPORT_MAX_ROWS = 200_000
BATCH = 2_000
COLUMNS = (
    "ticket",
    "category",
    "category_name",
    "status",
    "kelurahan",
    "created_at",
    "expected_at",
    "first_response_at",
    "completed_at",
    "lat",
    "long",
    "description",
)
# A cell starting with one of these is a formula to Excel/LibreOffice; citizens write the text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _statement(filters: InsightFilters, profile: CityProfile, limit: int) -> Select[Any]:
    where = conditions(filters, profile)
    times = history_times(where)
    return (
        select(
            Complaint.ticket,
            Complaint.service_code,
            Complaint.status,
            Complaint.kelurahan,
            Complaint.created_at,
            Complaint.lat,
            Complaint.long,
            Complaint.description,
            times.c.first_response_at,
            times.c.completed_at,
        )
        .outerjoin(times, times.c.complaint_id == Complaint.id)
        .where(*where)
        .order_by(Complaint.created_at, Complaint.id)
        .limit(limit)
    )


def matching(session: Session, filters: InsightFilters, profile: CityProfile) -> int:
    """How many complaints the filters select (the download says so, and whether it was capped)."""
    return int(session.scalar(select(func.count()).select_from(Complaint).where(*conditions(filters, profile))) or 0)


def export_rows(
    session: Session, filters: InsightFilters, profile: CityProfile, limit: int = EXPORT_MAX_ROWS
) -> Iterator[dict[str, Any]]:
    """One dict per complaint (the COLUMNS, plus `placed` and the point for GeoJSON)."""
    tz = profile.timezone
    catalogue = Catalogue.load(session)
    centroids = profile.centroid_index()
    result = session.execute(_statement(filters, profile, limit).execution_options(yield_per=BATCH))
    for row in result:
        code: str = row.service_code
        created: dt.datetime = row.created_at
        lat: float | None = row.lat
        long: float | None = row.long
        kelurahan: str | None = row.kelurahan
        expected = target_time(created, catalogue.expected_days.get(code), tz)
        yield {
            "ticket": row.ticket,
            "category": code,
            "category_name": catalogue.name(code),
            "status": row.status,
            "kelurahan": kelurahan,
            "created_at": local_iso(created, tz),
            "expected_at": expected.isoformat() if expected else "",
            "first_response_at": local_iso(aware(row.first_response_at), tz),
            "completed_at": local_iso(aware(row.completed_at), tz),
            "lat": lat,
            "long": long,
            "description": mask_text(row.description or ""),
            "_place": place(lat, long, kelurahan, centroids),
        }


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # the OWASP advice: shown as text, never evaluated
    return "" if value is None else value


def csv_chunks(rows: Iterable[dict[str, Any]], every: int = 1_000) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_cell(row[c]) for c in COLUMNS])
        if n % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def geojson_chunks(rows: Iterable[dict[str, Any]], every: int = 500) -> Iterator[str]:
    """A FeatureCollection; a complaint that cannot be placed has a null geometry (GeoJSON allows it)."""
    yield '{"type": "FeatureCollection", "features": ['
    parts: list[str] = []
    first = True
    for row in rows:
        spot = row["_place"]
        properties = {c: row[c] for c in COLUMNS if c not in ("lat", "long")}
        properties["placed"] = spot[2] if spot else None
        if spot:
            feature = point(spot[0], spot[1], properties)
        else:
            feature = {"type": "Feature", "geometry": None, "properties": properties}
        parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
        first = False
        if len(parts) >= every:
            yield "".join(parts)
            parts = []
    yield "".join(parts) + "]}"
