"""Engine and session factories. Nothing here runs at import: `create_app` builds a `Database`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from citybot.sqlite_wal import checkpoint_wal


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_file(url: str) -> Path | None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if not path or path == ":memory:":
        return None
    return Path(path)


def make_engine(url: str, *, immediate: bool = False, pool_size: int = 10) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs.

    `immediate=True` makes every SQLite transaction `BEGIN IMMEDIATE`: a write transaction
    then takes the write lock up front and waits for it (busy_timeout) instead of failing with
    SQLITE_BUSY when it upgrades a read lock while another writer commits.
    """
    if is_sqlite(url):
        file = _sqlite_file(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=20,
        )
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling is lazy).
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted or rewritten rows are zeroed, not left in free pages: "hapus data saya"
            # must leave no copy of a name or phone number in the file (issue 12, item 8).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql(begin)

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


@dataclass
class Database:
    """Read and write session factories; on PostgreSQL both share one engine."""

    url: str
    engine: Engine
    write_engine: Engine
    read: sessionmaker[Session]
    write: sessionmaker[Session]
    # SQLite has one writer at a time. Queueing writers of this process on a lock (instead of
    # SQLite's busy handler, which polls with growing sleeps) keeps tail latency down.
    write_lock: threading.Lock | None = field(default=None)

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = make_engine(url)
        write_engine = make_engine(url, immediate=True) if is_sqlite(url) else engine
        return cls(
            url=url,
            engine=engine,
            write_engine=write_engine,
            read=sessionmaker(engine, expire_on_commit=False),
            write=sessionmaker(write_engine, expire_on_commit=False),
            write_lock=threading.Lock() if is_sqlite(url) else None,
        )

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        if self.write_lock is None:
            with self.write() as session, session.begin():
                yield session
            return
        with self.write_lock, self.write() as session, session.begin():
            yield session

    def checkpoint(self) -> None:
        """Fold the SQLite write-ahead log into the database and empty it, so pages that held
        erased data before the erasure do not linger in the -wal file. No-op on PostgreSQL."""
        if not self.is_sqlite:
            return
        checkpoint_wal(self.write_engine)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


