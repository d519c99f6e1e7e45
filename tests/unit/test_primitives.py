"""The shared primitives: retry backoff, the internal-network check, the SQLite engine factory."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from citybot.backoff import backoff_seconds
from citybot.networks import address_allowed
from citybot.sqlite_engine import make_engine


@pytest.mark.parametrize(("failures", "base"), [(0, 1.0), (1, 1.0), (2, 2.0), (3, 4.0), (9, 256.0), (10, 300.0)])
def test_backoff_doubles_up_to_the_cap_with_jitter(failures: int, base: float) -> None:
    random.seed(failures)
    delays = [backoff_seconds(failures) for _ in range(200)]
    assert all(0.8 * base <= d <= 1.2 * base for d in delays)
    assert len(set(delays)) > 100  # jittered, not one fixed value
    assert backoff_seconds(failures, jitter=False) == base


def test_backoff_cap_is_a_parameter() -> None:
    assert backoff_seconds(30, cap=60.0, jitter=False) == 60.0


@pytest.mark.parametrize(
    ("host", "networks", "allowed"),
    [
        ("127.0.0.1", "127.0.0.0/8,::1/128", True),
        ("::1", "127.0.0.0/8,::1/128", True),
        ("10.1.2.3", "127.0.0.0/8,::1/128", False),
        ("10.1.2.3", " 10.0.0.1/8 , ", True),  # host bits after the prefix are ignored
        ("2001:db8::5", "2001:db8::/32", True),
        ("not-an-ip", "0.0.0.0/0", False),
        (None, "0.0.0.0/0", False),
        ("127.0.0.1", "", False),
    ],
)
def test_address_allowed(host: str | None, networks: str, allowed: bool) -> None:
    assert address_allowed(host, networks) is allowed


def _pragma(engine: Engine, name: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(f"PRAGMA {name}")).scalar()


@pytest.mark.parametrize("foreign_keys", [True, False])
def test_sqlite_engine_pragmas(tmp_path: Path, foreign_keys: bool) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}", immediate=True, foreign_keys=foreign_keys)
    try:
        assert (tmp_path / "sub").is_dir()
        assert _pragma(engine, "journal_mode") == "wal"
        assert _pragma(engine, "foreign_keys") == int(foreign_keys)
        assert _pragma(engine, "busy_timeout") == 30000
        assert _pragma(engine, "secure_delete") == 1
        assert _pragma(engine, "synchronous") == 1  # NORMAL
    finally:
        engine.dispose()


def test_sqlite_immediate_engine_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    writer, other = make_engine(url, immediate=True), make_engine(url)
    try:
        with other.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        with writer.connect() as conn, conn.begin():
            # No statement has run yet, but BEGIN IMMEDIATE already holds the write lock.
            raw = other.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
                with pytest.raises(Exception, match="locked"):
                    raw.driver_connection.execute("INSERT INTO t VALUES (1)")  # type: ignore[union-attr]
            finally:
                raw.close()
    finally:
        writer.dispose()
        other.dispose()
