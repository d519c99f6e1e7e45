"""Small pure pieces of the gateway: office hours, log masking, status rendering, rate limiter."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from citybot.gateway.office_hours import OfficeHours, parse_days
from citybot.gateway.render import status_changed
from citybot.gateway.throttle import Throttle
from citybot.privacy import install_log_masking
from citybot.privacy import mask_text as mask
from citybot.settings import Settings

JKT = ZoneInfo("Asia/Jakarta")


def at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=JKT)


def test_office_hours_open_close_and_next_open() -> None:
    hours = OfficeHours("08:00-16:00", "1-5", "Asia/Jakarta")
    friday_morning = at(2026, 11, 27, 9, 30)
    assert hours.is_open(friday_morning)
    assert not hours.is_open(at(2026, 11, 27, 16, 0))  # end is exclusive
    assert not hours.is_open(at(2026, 11, 28, 10, 0))  # Saturday
    # Friday evening → Monday 08:00 Jakarta time.
    assert hours.next_open(at(2026, 11, 27, 17, 0)) == at(2026, 11, 30, 8, 0)
    # Early on a weekday → the same day.
    assert hours.next_open(at(2026, 11, 26, 6, 0)) == at(2026, 11, 26, 8, 0)
    # The check uses the city's zone even for a UTC timestamp: 02:00 UTC = 09:00 WIB.
    assert hours.is_open(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC))


def test_office_days_parsing() -> None:
    assert parse_days("1-5") == {1, 2, 3, 4, 5}
    assert parse_days("1-5,7") == {1, 2, 3, 4, 5, 7}
    with pytest.raises(ValueError):
        parse_days("0-9")


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("NIK saya 3171234567890001 ya", "3171234567890001"),
        ("hubungi 081234567890", "081234567890"),
        ("wa +62 812-3456-7890 kak", "3456-7890"),
        ("6281234567890 refused", "6281234567890"),
    ],
)
def test_masking_hides_nik_and_phone_numbers(text: str, leaked: str) -> None:
    masked = mask(text)
    assert leaked not in masked
    assert "*" in masked


def test_masking_leaves_tickets_and_dates_alone() -> None:
    text = "Laporan JKL-2026-000123 pada 2026-11-27 pukul 10.30"
    assert mask(text) == text


def test_gateway_loggers_mask_records(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    log = logging.getLogger("citybot.gateway.test_units")
    with caplog.at_level(logging.INFO, logger="citybot.gateway.test_units"):
        log.info("send to %s failed", "6281234567890")
    assert "6281234567890" not in caplog.text and "6281****" in caplog.text


def test_status_rendering() -> None:
    reply = status_changed("JKL-2026-000001", "proses", "Proses", "Petugas di lokasi")
    assert reply.text == "Laporan JKL-2026-000001 kini berstatus Proses: Petugas di lokasi"
    assert reply.buttons == []
    done = status_changed("JKL-2026-000001", "selesai", "Selesai", "")
    assert done.text is not None and done.text.startswith("Laporan JKL-2026-000001 kini berstatus Selesai.")
    assert [b.payload for b in done.buttons] == [
        '/sudah_beres{"nomor_tiket": "JKL-2026-000001"}',
        '/belum_beres{"nomor_tiket": "JKL-2026-000001"}',
    ]


def test_sender_limit_warns_once_then_drops(tmp_path: Path) -> None:
    settings = Settings(
        sender_id_key="k", gateway_rate_limit_per_minute=3, gateway_database_url=f"sqlite:///{tmp_path}/g.db"
    )

    async def run() -> list[str]:
        throttle = Throttle(settings)
        verdicts = [await throttle.verdict("message_sender", "s") for _ in range(5)]
        return [*verdicts, await throttle.verdict("message_sender", "other")]

    assert asyncio.run(run()) == ["ok", "ok", "ok", "warn", "drop", "ok"]


def test_alembic_migration_matches_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from citybot.gateway.db import make_engine, upgrade
    from citybot.gateway.models import Base

    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(url)
    upgrade(url)  # idempotent: a restart must not fail
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_client_address_trusts_forwarded_for_only_from_trusted_proxies() -> None:
    from citybot.gateway.clientip import limit_key, resolve
    from citybot.networks import parse_networks

    proxies = parse_networks("10.0.0.0/8")
    assert resolve("203.0.113.9", ["1.2.3.4"], proxies) == "203.0.113.9"  # not a proxy: ignored
    assert resolve("10.0.0.5", ["1.2.3.4, 198.51.100.2"], proxies) == "198.51.100.2"  # rightmost hop
    assert resolve("10.0.0.5", ["1.2.3.4, 10.0.0.6"], proxies) == "1.2.3.4"  # through two proxies
    assert resolve("10.0.0.5", ["junk"], proxies) == "10.0.0.5"
    assert limit_key("2001:db8:1:2:aaaa::1") == limit_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert limit_key("::ffff:192.0.2.7") == "192.0.2.7"
