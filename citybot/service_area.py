"""The area a deployment serves, as latitude/longitude boxes (settings: CITY_BOUNDS).

A point outside every box is not this city's to handle: a complaint pinned in Bandung cannot be
sent to DKI Jakarta's dinas. Boxes, not polygons: they are enough to catch a wrong city or a
swapped latitude/longitude, and a city edits them without GIS tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from citybot.settings import Settings, get_settings


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, long: float) -> bool:
        return self.south <= lat <= self.north and self.west <= long <= self.east


def parse_bounds(spec: str) -> list[Bounds]:
    """ "south,west,north,east; ..." -> boxes. A malformed box is a configuration error."""
    boxes = []
    for part in spec.split(";"):
        if not part.strip():
            continue
        values = [float(v) for v in part.split(",")]
        if len(values) != 4:
            raise ValueError(f"CITY_BOUNDS: {part!r} needs south,west,north,east")
        box = Bounds(*values)
        if not (-90 <= box.south < box.north <= 90 and -180 <= box.west < box.east <= 180):
            raise ValueError(f"CITY_BOUNDS: {part!r} is not a box (south < north, west < east)")
        boxes.append(box)
    return boxes


@lru_cache(maxsize=8)
def _boxes(spec: str) -> tuple[Bounds, ...]:
    return tuple(parse_bounds(spec))


def in_service_area(lat: float, long: float, settings: Settings | None = None) -> bool:
    boxes = _boxes((settings or get_settings()).city_bounds)
    return not boxes or any(box.contains(lat, long) for box in boxes)
