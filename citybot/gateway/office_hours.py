"""Are agents at their desks now, and if not, when do they open next (city time zone)?"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def parse_days(spec: str) -> set[int]:
    """"1-5" or "1-5,6" → ISO weekdays (Monday = 1)."""
    days: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            first, last = (int(x) for x in part.split("-", 1))
            days.update(range(first, last + 1))
        else:
            days.add(int(part))
    if not days or not days <= set(range(1, 8)):
        raise ValueError(f"OFFICE_DAYS must be ISO weekdays like 1-5, got {spec!r}")
    return days


def parse_hours(spec: str) -> tuple[dt.time, dt.time]:
    start, end = spec.split("-", 1)
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


class OfficeHours:
    def __init__(self, hours: str, days: str, timezone: str) -> None:
        self.start, self.end = parse_hours(hours)
        self.days = parse_days(days)
        self.zone = ZoneInfo(timezone)

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.zone)
        return local.isoweekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, now: dt.datetime) -> dt.datetime:
        """The next opening time strictly after `now` (in the city's zone)."""
        local = now.astimezone(self.zone)
        for offset in range(0, 8):
            day = local.date() + dt.timedelta(days=offset)
            opening = dt.datetime.combine(day, self.start, tzinfo=self.zone)
            if day.isoweekday() in self.days and opening > local:
                return opening
        raise AssertionError("no office day in a week")  # parse_days guarantees one
