"""Time to first response and to completion per complaint, and their medians per category.

The definitions are in `citybot.backend.services.insight`. Both times come from one pass over
the status history grouped by complaint; the medians are exact on both engines.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from sqlalchemy import ColumnElement, Float, Subquery, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from citybot.backend.models import Complaint, StatusHistory
from citybot.client.insight import CategoryDurations

INITIAL_STATUS = "menunggu"
SYSTEM_ACTOR = "sistem"  # writes the creation entry "Laporan diterima."
REPORTER_ACTOR = "pelapor"  # the citizen's own "sudah beres?" answer is not the city responding
DONE_STATUS = "selesai"


def _is_response() -> ColumnElement[bool]:
    return and_(
        StatusHistory.actor != REPORTER_ACTOR,
        or_(StatusHistory.status != INITIAL_STATUS, StatusHistory.actor != SYSTEM_ACTOR),
    )


def response_times(where: list[ColumnElement[bool]]) -> Subquery:
    """Per filtered complaint: id, service_code, created_at, first_response_at, completed_at."""
    first_response = func.min(case((_is_response(), StatusHistory.changed_at)))
    completed = func.min(case((StatusHistory.status == DONE_STATUS, StatusHistory.changed_at)))
    return (
        select(
            Complaint.id.label("id"),
            Complaint.service_code.label("service_code"),
            Complaint.created_at.label("created_at"),
            first_response.label("first_response_at"),
            completed.label("completed_at"),
        )
        .join(StatusHistory, StatusHistory.complaint_id == Complaint.id)
        .where(*where)
        .group_by(Complaint.id, Complaint.service_code, Complaint.created_at)
        .subquery("response_times")
    )


def history_times(where: list[ColumnElement[bool]]) -> Subquery:
    """The same two times keyed by complaint id only, for joining onto other selects (exports)."""
    first_response = func.min(case((_is_response(), StatusHistory.changed_at)))
    completed = func.min(case((StatusHistory.status == DONE_STATUS, StatusHistory.changed_at)))
    return (
        select(
            StatusHistory.complaint_id.label("complaint_id"),
            first_response.label("first_response_at"),
            completed.label("completed_at"),
        )
        .join(Complaint, StatusHistory.complaint_id == Complaint.id)
        .where(*where)
        .group_by(StatusHistory.complaint_id)
        .subquery("history_times")
    )


def aware(value: object) -> dt.datetime | None:
    """Aggregates bypass the UTC column type on SQLite, which hands back naive text or datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 2)


def durations(session: Session, where: list[ColumnElement[bool]], names: dict[str, str]) -> list[CategoryDurations]:
    times = response_times(where)
    if session.get_bind().dialect.name == "postgresql":
        rows = _postgres_medians(session, times)
    else:
        rows = _python_medians(session, times)
    return [
        CategoryDurations(
            category=code,
            category_name=names.get(code, code),
            median_first_response_hours=_hours(first),
            median_completion_hours=_hours(done),
            responded=responded,
            completed=completed,
        )
        for code, first, done, responded, completed in sorted(rows)
    ]


Row = tuple[str, float | None, float | None, int, int]


def _postgres_medians(session: Session, times: Subquery) -> list[Row]:
    def seconds(column: ColumnElement[dt.datetime]) -> ColumnElement[float]:
        return cast(func.extract("epoch", column - times.c.created_at), Float)

    first = seconds(times.c.first_response_at)
    done = seconds(times.c.completed_at)
    # percentile_cont ignores NULLs, so complaints not yet answered or completed do not count.
    stmt = select(
        times.c.service_code,
        func.percentile_cont(0.5).within_group(first),
        func.percentile_cont(0.5).within_group(done),
        func.count(times.c.first_response_at),
        func.count(times.c.completed_at),
    ).group_by(times.c.service_code)
    return [(str(row[0]), _float(row[1]), _float(row[2]), int(row[3]), int(row[4])) for row in session.execute(stmt)]


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _python_medians(session: Session, times: Subquery) -> list[Row]:
    first: dict[str, list[float]] = defaultdict(list)
    done: dict[str, list[float]] = defaultdict(list)
    codes: set[str] = set()
    stmt = select(times.c.service_code, times.c.created_at, times.c.first_response_at, times.c.completed_at)
    for code_raw, created_raw, first_raw, done_raw in session.execute(stmt):
        code = str(code_raw)
        codes.add(code)
        created = aware(created_raw)
        assert created is not None
        if (answered := aware(first_raw)) is not None:
            first[code].append((answered - created).total_seconds())
        if (completed := aware(done_raw)) is not None:
            done[code].append((completed - created).total_seconds())
    return [
        (
            code,
            statistics.median(first[code]) if first[code] else None,
            statistics.median(done[code]) if done[code] else None,
            len(first[code]),
            len(done[code]),
        )
        for code in codes
    ]
