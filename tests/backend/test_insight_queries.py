"""Insight queries on known data, on SQLite and on PostgreSQL: the same exact counts, weeks, hot
spots, medians, overdue list, map placement and export rows from both engines.

Nine complaints in DKI Jakarta (WIB, UTC+7) at a fixed "now" of Friday 2026-03-20 12:00 WIB.
Times are written in WIB; several sit near midnight so that a week or a day counted in UTC
instead of the city's zone would land in the wrong bucket.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from citybot.backend.db import Database
from citybot.backend.migrate import upgrade
from citybot.backend.models import Complaint, Jurisdiction, ServiceCategory, StatusHistory
from citybot.backend.services import insight, insight_export, insight_geo
from citybot.city_models import CityProfile
from citybot.city_profile import load_profile
from citybot.client.insight import InsightFilters
from citybot.settings import ROOT
from tests.backend.conftest import fresh_database_url
from tests.services import drop_postgres

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=WIB)
PHONE_AND_NIK = "Hubungi 0812-3456-7890, NIK 3171234567890123."
FORMULA = '=HYPERLINK("http://contoh.invalid","klik")'


def wib(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WIB)


@dataclass(frozen=True)
class Case:
    ticket: str
    service: str
    status: str
    kelurahan: str | None
    created: dt.datetime
    history: tuple[tuple[float, str, str], ...] = ()  # (hours after filing, status, actor)
    coords: tuple[float, float] | None = None
    description: str = "Laporan uji."


CASES = [
    # jalan (target 3 days): open and overdue since 12 March; no response yet
    Case("T-1", "jalan", "menunggu", "Menteng", wib(3, 9, 0, 30)),
    # Sunday 23:30 WIB: the last minutes of the week of 9 March
    Case(
        "T-2",
        "jalan",
        "proses",
        "Menteng",
        wib(3, 15, 23, 30),
        ((2, "disposisi", "budi"), (5, "proses", "budi")),
        coords=(-6.2001, 106.8302),
    ),
    Case(
        "T-3",
        "jalan",
        "selesai",
        "Cikini",
        wib(3, 2, 10),
        ((4, "proses", "budi"), (24, "selesai", "budi"), (30, "selesai", "pelapor")),
        description=PHONE_AND_NIK,
    ),
    Case(
        "T-4",
        "jalan",
        "selesai",
        "Cikini",
        wib(3, 3, 10),
        ((1, "koordinasi", "sari"), (10, "proses", "sari"), (48, "selesai", "sari")),
    ),
    # sampah (target 2 days): an agent's note without a status change is a first response
    Case("T-5", "sampah", "menunggu", "Kramat", wib(3, 19, 10), ((0.5, "menunggu", "sari"),)),
    # a description a spreadsheet would run as a formula
    Case("T-6", "sampah", "ditolak", None, wib(3, 10, 8), ((3, "ditolak", "supervisor"),), description=FORMULA),
    # 06:59 WIB on Monday 16 March is 23:59 UTC on Sunday 15 March
    Case("T-9", "sampah", "koordinasi", "Menteng", wib(3, 16, 6, 59), ((6, "koordinasi", "budi"),)),
    # pohon has no target: never overdue, however old
    Case("T-7", "pohon", "menunggu", "Kelurahan Antah", wib(1, 5, 9)),
    Case("T-8", "pohon", "dibatalkan", "kramat", wib(3, 16, 7), ((1.5, "dibatalkan", "budi"),)),
]


def _fill(session: Session) -> None:
    session.add(Jurisdiction(id="jakarta.go.id", name="DKI Jakarta", timezone="Asia/Jakarta", ticket_prefix="T"))
    for code, name, days in (("jalan", "Jalan Rusak", 3), ("sampah", "Sampah Menumpuk", 2), ("pohon", "Pohon", None)):
        session.add(ServiceCategory(code=code, name=name, expected_days=days))
    session.flush()
    for case in CASES:
        complaint = Complaint(
            ticket=case.ticket,
            service_code=case.service,
            jurisdiction_id="jakarta.go.id",
            status=case.status,
            description=case.description,
            kelurahan=case.kelurahan,
            lat=case.coords[0] if case.coords else None,
            long=case.coords[1] if case.coords else None,
            reporter_name="Siti Pelapor",
            reporter_phone="+6281299998888",
            created_at=case.created,
            updated_at=case.created,
        )
        session.add(complaint)
        session.flush()
        entries = [(0.0, "menunggu", "sistem"), *case.history]
        for hours, status, actor in entries:
            at = case.created + dt.timedelta(hours=hours)
            session.add(StatusHistory(complaint_id=complaint.id, status=status, actor=actor, changed_at=at))
    # Another city's report in the same database (a second profile's seed) counts nowhere here.
    session.add(Jurisdiction(id="makassarkota.go.id", name="Makassar", timezone="Asia/Makassar", ticket_prefix="M"))
    session.flush()
    session.add(
        Complaint(
            ticket="M-1",
            service_code="jalan",
            jurisdiction_id="makassarkota.go.id",
            status="menunggu",
            kelurahan="Menteng",
            lat=-6.2001,
            long=106.8302,
            created_at=wib(3, 9, 1),
            updated_at=wib(3, 9, 1),
        )
    )
    session.flush()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def known(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = fresh_database_url(request.param, tmp_path_factory.mktemp(f"insight-{request.param}"))
    upgrade(url)
    db = Database.connect(url)
    with db.writing() as session:
        _fill(session)
    try:
        yield db
    finally:
        db.dispose()
        if request.param == "postgresql":
            drop_postgres(url)


@pytest.fixture(scope="module")
def jakarta() -> CityProfile:
    return load_profile(ROOT / "cities" / "jakarta")


def summary(db: Database, profile: CityProfile, **filters: object) -> insight.InsightSummary:
    with db.read() as session:
        return insight.summary(session, InsightFilters.model_validate(filters), profile, now=NOW)


def test_totals_weeks_and_hot_spots(known: Database, jakarta: CityProfile) -> None:
    result = summary(known, jakarta)
    assert result.totals.model_dump() == {"all": 9, "open": 5, "closed": 4, "overdue": 3}
    assert [(w.week, w.category, w.count) for w in result.weekly] == [
        ("2026-01-05", "pohon", 1),
        ("2026-03-02", "jalan", 2),
        ("2026-03-09", "jalan", 2),
        ("2026-03-09", "sampah", 1),
        ("2026-03-16", "pohon", 1),
        ("2026-03-16", "sampah", 2),
    ]
    assert result.weekly[1].category_name == "Jalan Rusak"
    # "kramat" and "Kramat" are one place, shown as areas.yml spells it; ties go by name
    assert [(k.kelurahan, k.count) for k in result.top_kelurahan] == [
        ("Menteng", 3),
        ("Cikini", 2),
        ("Kramat", 2),
        ("Kelurahan Antah", 1),
    ]
    with known.read() as session:
        top_two = insight.top_kelurahan(
            session, insight.conditions(InsightFilters(), jakarta), {"kramat": "Kramat"}, limit=2
        )
    assert [(k.kelurahan, k.count) for k in top_two] == [("Menteng", 3), ("Cikini", 2)]


def test_median_first_response_and_completion(known: Database, jakarta: CityProfile) -> None:
    rows = {d.category: d for d in summary(known, jakarta).durations}
    assert set(rows) == {"jalan", "pohon", "sampah"}
    # jalan: first responses 2 h, 4 h, 1 h -> 2; completions 24 h, 48 h -> 36 (the reporter's
    # later confirmation does not move it); T-1 was never answered
    jalan = rows["jalan"]
    assert (jalan.median_first_response_hours, jalan.median_completion_hours) == (2.0, 36.0)
    assert (jalan.responded, jalan.completed, jalan.category_name) == (3, 2, "Jalan Rusak")
    # sampah: 0.5 h (a note, status unchanged), 3 h, 6 h -> 3; nothing completed
    sampah = rows["sampah"]
    assert (sampah.median_first_response_hours, sampah.median_completion_hours) == (3.0, None)
    assert (sampah.responded, sampah.completed) == (3, 0)
    assert (rows["pohon"].median_first_response_hours, rows["pohon"].responded) == (1.5, 1)
    # among the waiting ones only T-5 got a note; the categories nobody answered stay listed
    waiting = [
        (d.category, d.median_first_response_hours, d.responded)
        for d in summary(known, jakarta, status="menunggu").durations
    ]
    assert waiting == [("jalan", None, 0), ("pohon", None, 0), ("sampah", 0.5, 1)]


def test_overdue_list_most_overdue_first(known: Database, jakarta: CityProfile) -> None:
    items = summary(known, jakarta).overdue
    assert [(i.ticket, i.days_overdue) for i in items] == [("T-1", 8.48), ("T-9", 2.21), ("T-2", 1.52)]
    first = items[0]
    assert first.expected_at == wib(3, 12, 0, 30) and first.created_at == wib(3, 9, 0, 30)
    assert first.expected_at.utcoffset() == dt.timedelta(hours=7)
    assert (first.category, first.category_name, first.kelurahan, first.status) == (
        "jalan",
        "Jalan Rusak",
        "Menteng",
        "menunggu",
    )


@pytest.mark.parametrize(
    ("filters", "totals", "tickets_on_map"),
    [
        ({"category": "jalan"}, (4, 2, 2, 2), ["T-2", "T-1", "T-4", "T-3"]),
        ({"kelurahan": "KRAMAT"}, (2, 1, 1, 0), ["T-5", "T-8"]),
        # the city's calendar day: T-9 (23:59 UTC the day before) is in, T-2 (16:30 UTC that day) out
        ({"date_from": "2026-03-16", "date_to": "2026-03-16"}, (2, 1, 1, 1), ["T-8", "T-9"]),
        ({"status": "menunggu"}, (3, 3, 0, 1), ["T-5", "T-1"]),
    ],
)
def test_filters_apply_to_every_part(
    known: Database,
    jakarta: CityProfile,
    filters: dict[str, str],
    totals: tuple[int, int, int, int],
    tickets_on_map: list[str],
) -> None:
    result = summary(known, jakarta, **filters)
    t = result.totals
    assert (t.all, t.open, t.closed, t.overdue) == totals
    assert sum(w.count for w in result.weekly) == t.all
    assert len(result.overdue) == t.overdue
    with known.read() as session:
        fc = insight_geo.complaints_map(session, InsightFilters.model_validate(filters), jakarta)
    assert [f["properties"]["ticket"] for f in fc["features"]] == tickets_on_map


def test_map_places_reports_at_their_coordinates_or_kelurahan_centroid(known: Database, jakarta: CityProfile) -> None:
    with known.read() as session:
        fc = insight_geo.complaints_map(session, InsightFilters(), jakarta)
        capped = insight_geo.complaints_map(session, InsightFilters(), jakarta, limit=3)
    centroids = jakarta.centroid_index()
    assert (fc["type"], fc["total"], fc["unplaced"], fc["truncated"]) == ("FeatureCollection", 9, 2, False)
    by_ticket = {f["properties"]["ticket"]: f for f in fc["features"]}
    # newest first; T-6 (no kelurahan) and T-7 (a kelurahan the city does not know) cannot be placed
    assert list(by_ticket) == ["T-5", "T-8", "T-9", "T-2", "T-1", "T-4", "T-3"]
    assert by_ticket["T-2"]["geometry"] == {"type": "Point", "coordinates": [106.8302, -6.2001]}
    assert by_ticket["T-2"]["properties"]["placed"] == "exact"
    kramat = centroids["kramat"]
    assert by_ticket["T-8"]["geometry"]["coordinates"] == [kramat.lon, kramat.lat]
    assert by_ticket["T-8"]["properties"]["placed"] == "kelurahan"
    assert by_ticket["T-1"]["properties"] == {
        "ticket": "T-1",
        "status": "menunggu",
        "category": "jalan",
        "category_name": "Jalan Rusak",
        "kelurahan": "Menteng",
        "created_at": "2026-03-09T00:30:00+07:00",
        "placed": "kelurahan",
    }
    assert [f["properties"]["ticket"] for f in capped["features"]] == ["T-5", "T-8", "T-9"]
    assert (capped["total"], capped["unplaced"], capped["truncated"]) == (9, 2, True)


def test_export_rows_carry_times_and_no_personal_data(known: Database, jakarta: CityProfile) -> None:
    with known.read() as session:
        text = "".join(insight_export.csv_chunks(insight_export.export_rows(session, InsightFilters(), jakarta)))
        geo = json.loads(
            "".join(insight_export.geojson_chunks(insight_export.export_rows(session, InsightFilters(), jakarta)))
        )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["ticket"] for r in rows] == ["T-7", "T-3", "T-4", "T-1", "T-6", "T-2", "T-9", "T-8", "T-5"]
    assert tuple(rows[0]) == insight_export.COLUMNS
    t3 = next(r for r in rows if r["ticket"] == "T-3")
    assert (t3["created_at"], t3["expected_at"], t3["first_response_at"], t3["completed_at"]) == (
        "2026-03-02T10:00:00+07:00",
        "2026-03-05T10:00:00+07:00",
        "2026-03-02T14:00:00+07:00",
        "2026-03-03T10:00:00+07:00",
    )
    assert "0812-3456-7890" not in text and "3171234567890123" not in text
    assert t3["description"].startswith("Hubungi 0812-****-****") and "3171************" in t3["description"]
    assert "Siti" not in text and "6281299998888" not in text
    assert next(r for r in rows if r["ticket"] == "T-6")["description"] == "'" + FORMULA  # shown, not run
    t7 = next(r for r in rows if r["ticket"] == "T-7")
    assert (t7["expected_at"], t7["first_response_at"], t7["lat"]) == ("", "", "")
    features = {f["properties"]["ticket"]: f for f in geo["features"]}
    assert len(features) == 9 and features["T-7"]["geometry"] is None
    assert features["T-2"]["properties"]["placed"] == "exact"
    assert "Siti" not in json.dumps(geo)


def test_areas_are_the_profile_centroids_with_a_bounding_box(jakarta: CityProfile) -> None:
    fc = insight_geo.areas(jakarta)
    names = [f["properties"]["name"] for f in fc["features"]]
    assert names == [k.name for k in jakarta.areas.kelurahan]
    cikini = next(f for f in fc["features"] if f["properties"]["name"] == "Cikini")
    assert cikini["properties"]["kecamatan"] == "Menteng"
    west, south, east, north = fc["bbox"]
    lons = [f["geometry"]["coordinates"][0] for f in fc["features"]]
    lats = [f["geometry"]["coordinates"][1] for f in fc["features"]]
    assert west < min(lons) and east > max(lons) and south < min(lats) and north > max(lats)
    assert 106.4 < west < east < 107.0 and -6.4 < south < north < -5.5


def test_summary_on_a_side_connection_answers_the_same(known: Database, jakarta: CityProfile) -> None:
    with known.read() as session, known.read() as side:
        together = insight.summary(session, InsightFilters(), jakarta, now=NOW, side_session=side)
    alone = summary(known, jakarta)
    assert together == alone and together.durations and together.weekly
