"""Complaints and kelurahan as GeoJSON for the console map (definitions: `services.insight`).

A complaint with coordinates is placed "exact"; one without, whose kelurahan has a centroid in
the city profile, is placed at that centroid ("kelurahan"); the rest are counted as `unplaced`.
The map carries at most `MAP_LIMIT` points, newest first, so the console stays quick at 100,000
complaints; `total` and `truncated` tell it there is more.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from citybot.backend.models import Complaint
from citybot.backend.services.insight import Catalogue, conditions
from citybot.backend.timeutil import local
from citybot.city_models import Centroid, CityProfile
from citybot.client.insight import InsightFilters

MAP_LIMIT = 5_000
BBOX_MARGIN = 0.01  # degrees around the outermost centroids, so edge markers are not on the frame


def has_coordinates() -> ColumnElement[bool]:
    return and_(Complaint.lat.is_not(None), Complaint.long.is_not(None))


def placeable(centroids: dict[str, Centroid]) -> ColumnElement[bool]:
    """Coordinates, or a kelurahan the profile has a centroid for (names compared without case)."""
    return or_(has_coordinates(), func.lower(Complaint.kelurahan).in_(sorted(centroids)))


def place(
    lat: float | None, long: float | None, kelurahan: str | None, centroids: dict[str, Centroid]
) -> tuple[float, float, str] | None:
    """(lon, lat, how) of a complaint, or None when it cannot be placed."""
    if lat is not None and long is not None:
        return long, lat, "exact"
    centroid = centroids.get(kelurahan.lower()) if kelurahan else None
    if centroid is None:
        return None
    return centroid.lon, centroid.lat, "kelurahan"


COORD_DECIMALS = 6  # about 0.1 m: no precision lost that a phone's GPS had, a third off the payload


def point(lon: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    coordinates = [round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)]
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": coordinates}, "properties": properties}


def complaints_map(
    session: Session, filters: InsightFilters, profile: CityProfile, limit: int = MAP_LIMIT
) -> dict[str, Any]:
    tz = profile.timezone
    centroids = profile.centroid_index()
    where = conditions(filters, profile)
    can_place = placeable(centroids)
    counted = session.execute(
        select(func.count(Complaint.id), func.coalesce(func.sum(case((can_place, 1), else_=0)), 0)).where(*where)
    ).one()
    total, placed_total = int(counted[0]), int(counted[1])
    catalogue = Catalogue.load(session)
    rows = session.execute(
        select(
            Complaint.ticket,
            Complaint.status,
            Complaint.service_code,
            Complaint.kelurahan,
            Complaint.created_at,
            Complaint.lat,
            Complaint.long,
        )
        .where(*where, can_place)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(limit)
    )
    features = []
    for ticket, status, code, kelurahan, created_at, lat, long in rows:
        spot = place(lat, long, kelurahan, centroids)
        if spot is None:  # SQLite's lower() folds ASCII only, Python's every letter: rare mismatch
            continue
        lon_, lat_, how = spot
        features.append(
            point(
                lon_,
                lat_,
                {
                    "ticket": ticket,
                    "status": status,
                    "category": code,
                    "category_name": catalogue.name(code),
                    "kelurahan": kelurahan,
                    "created_at": local(created_at, tz).isoformat(),
                    "placed": how,
                },
            )
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "unplaced": total - placed_total,
        "truncated": placed_total > len(features),
    }


def areas(profile: CityProfile) -> dict[str, Any]:
    """The city's kelurahan centroids and their bounding box: the offline map's backdrop."""
    kecamatan = {k.name.lower(): k.kecamatan for k in profile.areas.kelurahan}
    features = [
        point(c.lon, c.lat, {"name": c.name, "kecamatan": kecamatan.get(c.name.lower(), "")}) for c in profile.centroids
    ]
    if profile.centroids:
        lons = [c.lon for c in profile.centroids]
        lats = [c.lat for c in profile.centroids]
        box = [min(lons) - BBOX_MARGIN, min(lats) - BBOX_MARGIN, max(lons) + BBOX_MARGIN, max(lats) + BBOX_MARGIN]
    else:
        # No centroids yet: the service area boxes (south, west, north, east) still frame the city.
        box = [
            min(b[1] for b in profile.service_area),
            min(b[0] for b in profile.service_area),
            max(b[3] for b in profile.service_area),
            max(b[2] for b in profile.service_area),
        ]
    return {"type": "FeatureCollection", "features": features, "bbox": [round(v, 4) for v in box]}


def local_iso(value: dt.datetime | None, tz: str) -> str:
    return local(value, tz).isoformat() if value is not None else ""
