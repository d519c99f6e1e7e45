"""Engine and session factories. Nothing here runs at import: `create_app` builds a `Database`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from citybot.sqlite_engine import is_sqlite, make_engine
from citybot.sqlite_wal import checkpoint_wal

POOL_SIZE = 10


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
        engine = make_engine(url, pool_size=POOL_SIZE)
        write_engine = make_engine(url, immediate=True, pool_size=POOL_SIZE) if is_sqlite(url) else engine
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
