"""Emptying SQLite's write-ahead log after an erasure, shared by the backend and gateway stores."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine


def checkpoint_wal(engine: Engine) -> None:
    """`PRAGMA wal_checkpoint(TRUNCATE)` outside any transaction (inside one SQLite refuses it).
    Best effort: a busy reader only delays the truncation to the next checkpoint."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    except Exception:  # never fail the erasure itself over the log file
        logging.getLogger(__name__).warning("WAL checkpoint failed", exc_info=True)
    finally:
        raw.close()
