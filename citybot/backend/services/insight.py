"""Insight for supervisors: counts per week, hot spots, response times and the overdue list.

Definitions (the console, the downloads and the tests all read them from here):

- **filters**: `date_from`/`date_to` are calendar dates in the city's time zone, both inclusive;
  `category` is a service code, `status` an internal status, `kelurahan` matched without case.
- **week**: the ISO week start (Monday) in the city's time zone, as `YYYY-MM-DD`. PostgreSQL
  applies the zone's full rules; SQLite shifts by the zone's UTC offset, which is the same
  thing for the Indonesian zones (WIB/WITA/WIT keep no daylight saving time).
- **first response**: the first status-history entry after the creation entry that either
  moves the status away from the initial `menunggu` or was written by staff (an agent note);
  the reporter's own confirmation or reopening is not a response. Hours from `created_at`.
- **completion**: the first time the status became `selesai`, in hours from `created_at`.
- **medians**: the exact median (mean of the two middle values for an even count), rounded to
  two decimals of an hour; PostgreSQL computes it with `percentile_cont(0.5)`, SQLite in Python
  over the fetched durations, so both engines answer the same numbers.
- **expected_at**: `created_at` + the service's `expected_days` (the rule behind Open311
  `expected_datetime`, `citybot.backend.open311.target_time`). **overdue**: not closed
  (selesai, ditolak, duplikat, dibatalkan) and now > expected_at; a service without
  `expected_days` is never overdue.
- **kelurahan centroids** (`cities/<city>/centroids.yml`): a report without coordinates is drawn
  at its kelurahan's centroid (see `insight_geo`).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from citybot.backend.models import Complaint, ServiceCategory, utcnow
from citybot.backend.open311 import target_time
from citybot.backend.services import statuses
from citybot.backend.services.insight_durations import durations
from citybot.backend.timeutil import local, zone
from citybot.city_models import CityProfile
from citybot.client.insight import (
    CategoryDurations,
    InsightFilters,
    InsightSummary,
    KelurahanCount,
    OverdueItem,
    Totals,
    WeeklyCount,
)

TOP_KELURAHAN = 10
OVERDUE_LIMIT = 100


@dataclass(frozen=True)
class Catalogue:
    """Service names and target days, read once per request (a handful of rows)."""

    names: dict[str, str]
    expected_days: dict[str, int]

    @classmethod
    def load(cls, session: Session) -> Catalogue:
        rows = session.execute(select(ServiceCategory.code, ServiceCategory.name, ServiceCategory.expected_days))
        names: dict[str, str] = {}
        days: dict[str, int] = {}
        for code, name, expected in rows:
            names[code] = name
            if expected is not None:
                days[code] = expected
        return cls(names, days)

    def name(self, code: str) -> str:
        return self.names.get(code, code)


def conditions(filters: InsightFilters, profile: CityProfile) -> list[ColumnElement[bool]]:
    """WHERE clauses of the shared filters; dates become the city's local midnights. Only the
    active city's complaints count: one database may hold another profile's seeded rows."""
    where: list[ColumnElement[bool]] = [Complaint.jurisdiction_id == profile.jurisdiction_id]
    zone_info = zone(profile.timezone)
    if filters.date_from is not None:
        where.append(Complaint.created_at >= dt.datetime.combine(filters.date_from, dt.time(0), tzinfo=zone_info))
    if filters.date_to is not None:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(0), tzinfo=zone_info)
        where.append(Complaint.created_at < end)
    if filters.category:
        where.append(Complaint.service_code == filters.category)
    if filters.status:
        where.append(Complaint.status == filters.status)
    if filters.kelurahan:
        where.append(func.lower(Complaint.kelurahan) == filters.kelurahan.lower())
    return where


def overdue_condition(catalogue: Catalogue, now: dt.datetime) -> ColumnElement[bool]:
    """Open and past the target. One cutoff per service keeps it portable and index-friendly:
    created_at + days < now  <=>  created_at < now - days (no daylight saving time in Indonesia)."""
    per_service = [
        and_(Complaint.service_code == code, Complaint.created_at < now - dt.timedelta(days=days))
        for code, days in sorted(catalogue.expected_days.items())
    ]
    if not per_service:
        return false()
    # The open statuses by name (not "not closed"): the status index can then find them.
    return and_(Complaint.status.in_(statuses.OPEN), or_(*per_service))


def totals(session: Session, where: list[ColumnElement[bool]], catalogue: Catalogue, now: dt.datetime) -> Totals:
    closed = func.coalesce(func.sum(case((Complaint.status.in_(statuses.CLOSED), 1), else_=0)), 0)
    overdue = func.coalesce(func.sum(case((overdue_condition(catalogue, now), 1), else_=0)), 0)
    row = session.execute(select(func.count(), closed, overdue).select_from(Complaint).where(*where)).one()
    everything, closed_n, overdue_n = int(row[0]), int(row[1]), int(row[2])
    return Totals(all=everything, open=everything - closed_n, closed=closed_n, overdue=overdue_n)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def week_start(session: Session, tz: str, now: dt.datetime) -> ColumnElement[Any]:
    """The Monday of a complaint's week in the city's zone: a timestamp on PostgreSQL, 'YYYY-MM-DD'
    text on SQLite (`_week_text` makes both the same). Formatting happens after grouping: per row,
    to_char() costs more than the whole count."""
    if _is_postgres(session):
        return func.date_trunc("week", func.timezone(tz, Complaint.created_at))
    offset = zone(tz).utcoffset(now.replace(tzinfo=None))
    seconds = int(offset.total_seconds()) if offset is not None else 0
    # SQLite keeps naive UTC text; shift to local time, then back to the Monday on or before it.
    return func.date(Complaint.created_at, f"{seconds:+d} seconds", "-6 days", "weekday 1")


def _week_text(value: object) -> str:
    return value.date().isoformat() if isinstance(value, dt.datetime) else str(value)


def weekly(
    session: Session, where: list[ColumnElement[bool]], catalogue: Catalogue, tz: str, now: dt.datetime
) -> list[WeeklyCount]:
    week = week_start(session, tz, now).label("week")
    # No ORDER BY: PostgreSQL would then sort all rows to group them instead of hashing them;
    # the few hundred groups are sorted here.
    rows = session.execute(
        select(week, Complaint.service_code, func.count()).where(*where).group_by(week, Complaint.service_code)
    )
    counts = [
        WeeklyCount(week=_week_text(row[0]), category=row[1], category_name=catalogue.name(row[1]), count=row[2])
        for row in rows
    ]
    counts.sort(key=lambda item: (item.week, item.category))
    return counts


def top_kelurahan(
    session: Session, where: list[ColumnElement[bool]], known: dict[str, str], limit: int = TOP_KELURAHAN
) -> list[KelurahanCount]:
    """Hot spots. Spellings are counted by the database and folded here without case, shown as
    the profile spells them (else the first spelling in code-point order); the ordering (count,
    then name) is done here too because PostgreSQL's collation and SQLite's byte order sort
    names differently. A city has a few hundred kelurahan; lower() per row would cost more."""
    rows = session.execute(
        select(Complaint.kelurahan, func.count())
        .where(*where, Complaint.kelurahan.is_not(None))
        .group_by(Complaint.kelurahan)
    )
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for spelled, n in rows:
        key = str(spelled).lower()
        counts[key] = counts.get(key, 0) + int(n)
        shown[key] = known.get(key) or min(shown.get(key, str(spelled)), str(spelled))
    ranked = sorted((KelurahanCount(kelurahan=shown[k], count=n) for k, n in counts.items()), key=_by_count)
    return ranked[:limit]


def _by_count(item: KelurahanCount) -> tuple[int, str]:
    return -item.count, item.kelurahan


def _day_number(session: Session) -> ColumnElement[Any]:
    """Days since some epoch, monotonic in created_at: what an ORDER BY needs on either engine."""
    if _is_postgres(session):
        return func.extract("epoch", Complaint.created_at) / 86_400.0
    return func.julianday(Complaint.created_at)


def overdue(
    session: Session,
    where: list[ColumnElement[bool]],
    catalogue: Catalogue,
    tz: str,
    now: dt.datetime,
    limit: int = OVERDUE_LIMIT,
) -> list[OverdueItem]:
    """Most overdue first: ordered by created_at + the service's target days, which the database
    can do as a day number plus a per-service constant over the (few) open complaints."""
    if not catalogue.expected_days:
        return []
    target_days = case(
        *((Complaint.service_code == code, days) for code, days in sorted(catalogue.expected_days.items())),
        else_=0,
    )
    rows = session.execute(
        select(Complaint.ticket, Complaint.service_code, Complaint.kelurahan, Complaint.status, Complaint.created_at)
        .where(*where, overdue_condition(catalogue, now))
        .order_by(_day_number(session) + target_days, Complaint.id)
        .limit(limit)
    )
    items: list[OverdueItem] = []
    for ticket, code, kelurahan, status, created_at in rows:
        expected = target_time(created_at, catalogue.expected_days[code], tz)
        assert expected is not None
        items.append(
            OverdueItem(
                ticket=ticket or "",
                category=code,
                category_name=catalogue.name(code),
                kelurahan=kelurahan,
                status=status,
                created_at=local(created_at, tz),
                expected_at=expected,
                days_overdue=round((now - expected).total_seconds() / 86_400, 2),
            )
        )
    items.sort(key=lambda item: (-item.days_overdue, item.ticket))
    return items


def _every_category(
    spans: list[CategoryDurations], weeks: list[WeeklyCount], catalogue: Catalogue
) -> list[CategoryDurations]:
    """A category whose reports nobody has answered yet is listed too, with no medians: the
    chart should show the gap, not drop the category."""
    seen = {d.category for d in spans}
    missing = sorted({w.category for w in weeks} - seen)
    extra = [
        CategoryDurations(
            category=code,
            category_name=catalogue.name(code),
            median_first_response_hours=None,
            median_completion_hours=None,
            responded=0,
            completed=0,
        )
        for code in missing
    ]
    return sorted([*spans, *extra], key=lambda d: d.category)


def summary(
    session: Session,
    filters: InsightFilters,
    profile: CityProfile,
    now: dt.datetime | None = None,
    *,
    side_session: Session | None = None,
) -> InsightSummary:
    """Everything the dashboard's charts and lists need. With `side_session` (a second connection)
    the durations, the one query that reads the whole status history, run at the same time as
    the other parts instead of after them; the answer is the same."""
    moment = now or utcnow()
    tz = profile.timezone
    where = conditions(filters, profile)
    catalogue = Catalogue.load(session)
    known = {k.name.lower(): k.name for k in profile.areas.kelurahan}
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(durations, side_session, where, catalogue.names) if side_session is not None else None
        counted = totals(session, where, catalogue, moment)
        weeks = weekly(session, where, catalogue, tz, moment)
        hot_spots = top_kelurahan(session, where, known)
        late = overdue(session, where, catalogue, tz, moment)
        spans = pending.result() if pending is not None else durations(session, where, catalogue.names)
    spans = _every_category(spans, weeks, catalogue)
    return InsightSummary(
        filters=filters, totals=counted, weekly=weeks, top_kelurahan=hot_spots, durations=spans, overdue=late
    )
