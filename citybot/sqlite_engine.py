"""The one SQLAlchemy engine factory for the backend and gateway stores.

SQLite gets WAL, a busy timeout, zeroed deletes and explicit BEGINs; PostgreSQL a pooled engine
that pings before reuse. Nothing runs at import: each process builds its engines at startup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_file(url: str) -> Path | None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if not path or path == ":memory:":
        return None
    return Path(path)


def make_engine(
    url: str,
    *,
    immediate: bool = False,
    pool_size: int | None = None,
    foreign_keys: bool = True,
) -> Engine:
    """Create an engine for `url`.

    `immediate=True` makes every SQLite transaction `BEGIN IMMEDIATE`: a write transaction then
    takes the write lock up front and waits for it (busy_timeout) instead of failing with
    SQLITE_BUSY when it upgrades a read lock while another writer commits. `pool_size=None`
    keeps SQLAlchemy's default pool for SQLite and 10 connections for PostgreSQL.
    """
    if not is_sqlite(url):
        return create_engine(url, pool_size=pool_size or 10, max_overflow=20, pool_pre_ping=True)
    file = sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    pool: dict[str, Any] = {} if pool_size is None else {"pool_size": pool_size, "max_overflow": 20}
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)
    pragmas = ["PRAGMA journal_mode=WAL"]
    if foreign_keys:
        pragmas.append("PRAGMA foreign_keys=ON")
    # Deleted or rewritten rows are zeroed, not left in free pages: an erasure ("hapus data
    # saya") must leave no copy of a name, phone number or message in the file.
    pragmas += ["PRAGMA busy_timeout=30000", "PRAGMA synchronous=NORMAL", "PRAGMA secure_delete=ON"]
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling is lazy).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine
