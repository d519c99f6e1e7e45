"""Back up, wipe, restore: every complaint and booking is found again through the real backend
API, on SQLite (online backup API) and PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from citybot.backend.app import create_app
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade
from citybot.backend.models import Base, Booking, Complaint
from citybot.backend.seed import seed
from citybot.client import CityClient
from tests.backend.conftest import API_KEY, make_settings
from tests.backend.helpers import add_slot, file_complaint, unique
from tests.gateway.servers import serve
from tests.services import missing_prerequisite

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(database_url: str) -> str:
    """The ops fixture's databases; PostgreSQL's backup needs its client tools as well."""
    tools = (shutil.which("pg_dump"), shutil.which("pg_restore"))
    if database_url.startswith("postgresql") and None in tools:
        missing_prerequisite("pg_dump/pg_restore are not on PATH (install postgresql-client)")
    return database_url


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "citybot.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


async def file_some(city: CityClient, db: Database) -> None:
    for _ in range(3):
        await file_complaint(city)
    for _ in range(2):
        await city.book(
            slot_id=add_slot(db),
            patient_name="Daeng Ngai",
            patient_age=70,
            phone="0811 4123 456",
            address="Jl. Tamalate I No. 7",
            kelurahan="Karunrung",
            complaint="Kontrol tekanan darah",
            red_flags={"sesak_napas": False},
            channel="telegram",
            channel_address=unique("tg"),
            idempotency_key=unique(),
        )


async def all_found(base_url: str, tickets: list[str], codes: list[str]) -> None:
    async with CityClient(base_url, API_KEY, timeout=10) as city:
        for ticket in tickets:
            assert (await city.get_complaint(ticket)).ticket == ticket
        for code in codes:
            assert (await city.get_booking(code)).code == code


def test_backup_wipe_restore_finds_every_complaint_and_booking(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url)
    upgrade(database_url)
    db = Database.connect(database_url)
    try:
        seed(db, settings)
        with serve(create_app(settings, db=db)) as base_url:
            asyncio.run(_file(base_url, db))
        with db.read() as session:
            tickets = [t for t in session.scalars(select(Complaint.ticket)) if t]
            codes = list(session.scalars(select(Booking.code)))
        assert len(tickets) >= 3 and len(codes) == 2

        made = cli(database_url, "backup", "--only", "backend", "--out", str(tmp_path / "backups"))
        assert made.returncode == 0, made.stderr
        (backup_file,) = (tmp_path / "backups").iterdir()

        Base.metadata.drop_all(db.engine)  # the disaster: every table gone
        refused = cli(database_url, "restore", str(backup_file))
        assert refused.returncode == 2 and "--yes" in refused.stderr  # no accidental overwrite

        restored = cli(database_url, "restore", str(backup_file), "--yes")
        assert restored.returncode == 0, restored.stderr
        db.dispose()
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(Complaint)) == len(tickets)
        with serve(create_app(settings, db=db)) as base_url:
            asyncio.run(all_found(base_url, tickets, codes))
    finally:
        db.dispose()


async def _file(base_url: str, db: Database) -> None:
    async with CityClient(base_url, API_KEY, timeout=10) as city:
        await file_some(city, db)


def test_backup_of_a_missing_database_says_why(tmp_path: Path) -> None:
    result = cli(f"sqlite:///{tmp_path / 'nothing.db'}", "backup", "--only", "backend", "--out", str(tmp_path))
    assert result.returncode == 1 and "does not exist" in result.stderr
