"""Backup and restore time for a backend holding many complaints (prints figures, no verdict).

.venv/bin/python -m bench.backup_restore                      # SQLite, 100,000 complaints
.venv/bin/python -m bench.backup_restore --postgres           # PostgreSQL (throwaway database)
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import func, insert, select

from citybot.backend.db import Database
from citybot.backend.migrate import upgrade
from citybot.backend.models import Base, Complaint, Jurisdiction, ServiceCategory
from citybot.backend.seed import seed
from citybot.backup import backup, restore
from citybot.settings import Settings


def fill(db: Database, count: int) -> None:
    with db.writing() as session:
        jurisdiction = session.scalars(select(Jurisdiction.id)).first()
        service = session.scalars(select(ServiceCategory.code)).first()
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for first in range(0, count, 10_000):
            session.execute(
                insert(Complaint),
                [
                    {
                        "ticket": f"BENCH-{i:07d}",
                        "service_code": service,
                        "jurisdiction_id": jurisdiction,
                        "status": "diterima",
                        "description": "Jalan berlubang di depan sekolah, mohon segera diperbaiki.",
                        "address_string": "Jl. Contoh No. 1",
                        "kelurahan": "Menteng",
                        "lat": -6.2,
                        "long": 106.8,
                        "created_at": start,
                        "updated_at": start,
                    }
                    for i in range(first, min(count, first + 10_000))
                ],
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            from tests.services import drop_postgres, require_postgres

            url = require_postgres()
        else:
            url = f"sqlite:///{Path(tmp) / 'backend.db'}"
        try:
            upgrade(url)
            db = Database.connect(url)
            seed(db, Settings(database_url=url))
            fill(db, args.complaints)
            with db.read() as session:
                total = session.scalar(select(func.count()).select_from(Complaint))
            out = Path(tmp) / "backup"
            took_backup = backup(url, out)
            Base.metadata.drop_all(db.engine)
            db.dispose()
            took_restore = restore(url, out)
            with db.read() as session:
                restored = session.scalar(select(func.count()).select_from(Complaint))
            db.dispose()
            kind = "PostgreSQL" if args.postgres else "SQLite"
            print(
                f"{kind}: {total} complaints, backup {took_backup:.1f} s ({out.stat().st_size / 1e6:.0f} MB), "
                f"restore {took_restore:.1f} s, {restored} complaints after restore"
            )
        finally:
            if args.postgres:
                drop_postgres(url)


if __name__ == "__main__":
    main()
