"""The gateway's own database: engine, sessions and schema upgrades (Alembic) at startup.

Nothing runs at import; `create_app` builds one `GatewayDB` per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from citybot.sqlite_engine import is_sqlite
from citybot.sqlite_engine import make_engine as _shared_engine
from citybot.sqlite_wal import checkpoint_wal

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    # Every gateway transaction takes the write lock up front: two webhook deliveries racing
    # wait for each other instead of failing. Foreign keys stay off as the schema was built.
    return _shared_engine(url, immediate=True, foreign_keys=False)


def upgrade(url: str) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


class GatewayDB:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """One short transaction; committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def checkpoint(self) -> None:
        """Empty the SQLite write-ahead log after an erasure (old page copies live there)."""
        if not is_sqlite(self.url):
            return
        checkpoint_wal(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
