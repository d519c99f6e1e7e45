"""UTC in storage, the city's zone (WIB/WITA/WIT) on the way out."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(value: dt.datetime, tz: str) -> dt.datetime:
    return value.astimezone(zone(tz))


def parse_iso(value: str) -> dt.datetime:
    """ISO-8601 timestamp; a value without an offset is read as UTC."""
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
