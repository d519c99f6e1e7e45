"""Office hours know Indonesian public holidays, cuti bersama and the city's own closed days:
on 17 Agustus the gateway records a callback instead of promising an agent today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from citybot.city_profile import ProfileError, load_profile
from citybot.gateway.conversations import request_handoff
from citybot.gateway.db import GatewayDB, upgrade
from citybot.gateway.office_hours import OfficeHours
from tests.city_profiles import profile_variant
from tests.gateway.conftest import GatewayFactory
from tests.gateway.test_web_and_internal import say, web_sender
from tests.webclient import new_client_id

WIB = ZoneInfo("Asia/Jakarta")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


def jakarta(**extra: str) -> OfficeHours:
    return OfficeHours("08:00-16:00", "1-5", "Asia/Jakarta", holiday_country="ID", **extra)


def test_independence_day_is_closed_and_the_next_opening_is_the_day_after() -> None:
    hours = jakarta()
    assert hours.is_open(at(2026, 8, 14, 10, 0))  # the Friday before: an ordinary day
    assert not hours.is_open(at(2026, 8, 17, 10, 0))  # Monday 17 Agustus
    assert hours.next_open(at(2026, 8, 17, 10, 0)) == at(2026, 8, 18, 8, 0)
    assert hours.closed_reason(dt.date(2026, 8, 17))


def test_cuti_bersama_and_lebaran_close_the_office_for_days() -> None:
    hours = jakarta()
    # 24 Desember 2026 is cuti bersama, 25 is Christmas, then a weekend.
    assert not hours.is_open(at(2026, 12, 24, 9, 0))
    assert hours.next_open(at(2026, 12, 23, 17, 0)) == at(2026, 12, 28, 8, 0)
    # Nyepi (19 Maret) with its cuti bersama, then Idulfitri 1447 H with its cuti bersama.
    assert hours.next_open(at(2026, 3, 17, 17, 0)) == at(2026, 3, 25, 8, 0)


def test_city_closed_dates_and_opting_out_of_national_holidays(tmp_path: Path) -> None:
    own = jakarta(closed_dates="2026-06-22")  # e.g. the city's anniversary
    assert not own.is_open(at(2026, 6, 22, 10, 0)) and own.closed_reason(dt.date(2026, 6, 22)) == "hari libur kota"
    plain = OfficeHours("08:00-16:00", "1-5", "Asia/Jakarta", holiday_country="")
    assert plain.is_open(at(2026, 8, 17, 10, 0))
    cities = profile_variant(tmp_path, office__closed_dates=["17 Agustus"])
    with pytest.raises(ProfileError, match=r"profile.yml: office.closed_dates.0: "):
        load_profile(cities / "jakarta")


def test_handoff_on_independence_day_records_a_callback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url)
    db = GatewayDB(url)
    try:
        with db.begin() as session:
            state, next_open = request_handoff(
                session,
                jakarta(),
                "s-17an",
                "web",
                "Warga ingin bicara dengan petugas",
                "minta",
                now=at(2026, 8, 17, 10, 0),
            )
        assert state == "callback" and next_open == at(2026, 8, 18, 8, 0)
    finally:
        db.dispose()


def test_running_gateway_does_not_promise_an_agent_on_a_closed_day(gateway_factory: GatewayFactory) -> None:
    today = dt.datetime.now(WIB).date()
    # No national calendar here, so tomorrow is open whatever the date the test runs on.
    with gateway_factory(
        office_hours="00:00-23:59", office_days="1-7", office_closed_dates=today.isoformat(), office_holiday_country=""
    ) as gw:
        client = new_client_id(gw.url)
        say(gw, client, "saya mau bicara dengan petugas")
        body = {"sender": web_sender(gw, client), "summary": "Warga minta petugas", "reason": "minta"}
        data = gw.internal("/internal/handoff", body).json()
        assert data["status"] == "callback"
        assert dt.datetime.fromisoformat(data["next_open"]).astimezone(WIB).date() == today + dt.timedelta(days=1)
