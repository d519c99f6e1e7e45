"""Are agents at their desks now, and if not, when do they open next (city time zone)?

Closed on national public holidays and cuti bersama (the `holidays` library's Indonesian
PUBLIC and GOVERNMENT categories, including the yearly SKB dates) and on the city's own extra
days (`OFFICE_CLOSED_DATES`, e.g. the city's anniversary), so on 17 Agustus the bot records a
callback instead of promising an agent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

# Lebaran with its cuti bersama can close offices for more than a week.
MAX_CLOSED_DAYS = 40


def parse_days(spec: str) -> set[int]:
    """ "1-5" or "1-5,6" → ISO weekdays (Monday = 1)."""
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


def parse_dates(spec: str) -> set[dt.date]:
    """ "2026-06-22, 2026-12-24" → dates (the city's own closed days)."""
    dates: set[dt.date] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            dates.add(dt.date.fromisoformat(part))
        except ValueError as exc:
            raise ValueError(f"OFFICE_CLOSED_DATES must be dates like 2026-06-22, got {part!r}") from exc
    return dates


def national_holidays(country: str) -> Any:
    """Lazily filled per year by the library; None when the city opts out (empty country)."""
    if not country:
        return None
    import holidays

    # Indonesian names ("Cuti Bersama Hari Raya Natal") for the console and the logs.
    return holidays.country_holidays(
        country, categories=(holidays.PUBLIC, holidays.GOVERNMENT), language="id" if country == "ID" else None
    )


def parse_hours(spec: str) -> tuple[dt.time, dt.time]:
    start, end = spec.split("-", 1)
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


class OfficeHours:
    def __init__(
        self, hours: str, days: str, timezone: str, *, holiday_country: str = "", closed_dates: str = ""
    ) -> None:
        self.start, self.end = parse_hours(hours)
        self.days = parse_days(days)
        self.zone = ZoneInfo(timezone)
        self.closed = parse_dates(closed_dates)
        self.holidays = national_holidays(holiday_country)

    def closed_reason(self, day: dt.date) -> str | None:
        """Why the office is shut all day (holiday name, "hari libur kota"), or None."""
        if day in self.closed:
            return "hari libur kota"
        if self.holidays is not None:
            name = self.holidays.get(day)
            if name:
                return str(name)
        return None

    def is_office_day(self, day: dt.date) -> bool:
        return day.isoweekday() in self.days and self.closed_reason(day) is None

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.zone)
        return self.is_office_day(local.date()) and self.start <= local.time() < self.end

    def next_open(self, now: dt.datetime) -> dt.datetime:
        """The next opening time strictly after `now` (in the city's zone)."""
        local = now.astimezone(self.zone)
        for offset in range(0, MAX_CLOSED_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            opening = dt.datetime.combine(day, self.start, tzinfo=self.zone)
            if self.is_office_day(day) and opening > local:
                return opening
        raise ValueError(f"no office day in the next {MAX_CLOSED_DAYS} days: check OFFICE_CLOSED_DATES")
