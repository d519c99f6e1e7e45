"""Durable client-side queue for requests the city backend could not take right now.

When the backend is unreachable at the moment a citizen submits, the request is written here
(one SQLite file under `settings.var_dir`, stdlib `sqlite3`, no ORM) and delivered later by a
background task with the *same* idempotency key, so the backend files it exactly once however
often delivery is retried or however many workers race for it.

Life of an item:  pending ──deliver──► delivered ──notify──► notified
                     └────reject────► rejected ──notify──► notified
"delivered"/"rejected" still owe the citizen a message; "notified" is finished.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

State = Literal["pending", "delivered", "rejected", "notified"]
_OWED = ("pending", "delivered", "rejected")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    sender TEXT NOT NULL,
    payload TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'pending',
    result TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until REAL NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS ix_outbox_sender ON outbox (sender, state);
"""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    key: str
    sender: str
    payload: dict[str, Any]
    context: dict[str, Any]
    state: State
    result: dict[str, Any]
    attempts: int
    last_error: str
    created_at: float


def _item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        kind=row["kind"],
        key=row["key"],
        sender=row["sender"],
        payload=json.loads(row["payload"]),
        context=json.loads(row["context"]),
        state=row["state"],
        result=json.loads(row["result"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=row["created_at"],
    )


class Outbox:
    """A small SQLite-backed queue; every method is one short transaction (safe across processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=10000")
            # Rewritten and deleted rows are zeroed: an erased citizen's payload must not survive
            # in free space of the file.
            db.execute("PRAGMA secure_delete=ON")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            # IMMEDIATE takes the write lock up front, so two workers claiming at once serialise.
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def enqueue(
        self,
        kind: str,
        key: str,
        sender: str,
        payload: dict[str, Any],
        context: dict[str, Any] | None = None,
    ) -> bool:
        """Store a request; False when the key is already queued (a retried submission)."""
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO outbox (kind, key, sender, payload, context, next_attempt_at,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    key,
                    sender,
                    json.dumps(payload, ensure_ascii=False),
                    json.dumps(context or {}, ensure_ascii=False),
                    now,
                    now,
                    now,
                ),
            )
            return cursor.rowcount == 1

    def get(self, key: str) -> OutboxItem | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM outbox WHERE key = ?", (key,)).fetchone()
        return _item(row) if row else None

    def claim_due(self, limit: int = 10, lease_seconds: float = 60.0) -> list[OutboxItem]:
        """Items whose next attempt is due, leased to the caller so no other worker takes them."""
        now = time.time()
        with self._write() as db:
            rows = db.execute(
                "SELECT * FROM outbox WHERE state IN (?, ?, ?) AND next_attempt_at <= ? AND lease_until <= ?"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (*_OWED, now, now, limit),
            ).fetchall()
            if rows:
                marks = ",".join("?" for _ in rows)
                db.execute(
                    f"UPDATE outbox SET lease_until = ? WHERE id IN ({marks})",  # noqa: S608 - only placeholders
                    (now + lease_seconds, *[r["id"] for r in rows]),
                )
        return [_item(r) for r in rows]

    def _finish(self, key: str, state: State, result: dict[str, Any] | None, error: str = "") -> None:
        now = time.time()
        with self._write() as db:
            if result is None:
                db.execute(
                    "UPDATE outbox SET state = ?, attempts = 0, next_attempt_at = ?, lease_until = 0,"
                    " last_error = ?, updated_at = ? WHERE key = ?",
                    (state, now, error, now, key),
                )
            else:
                db.execute(
                    "UPDATE outbox SET state = ?, result = ?, attempts = 0, next_attempt_at = ?, lease_until = 0,"
                    " last_error = ?, updated_at = ? WHERE key = ?",
                    (state, json.dumps(result, ensure_ascii=False), now, error, now, key),
                )

    def mark_delivered(self, key: str, result: dict[str, Any]) -> None:
        self._finish(key, "delivered", result)

    def mark_rejected(self, key: str, result: dict[str, Any], error: str) -> None:
        self._finish(key, "rejected", result, error)

    def mark_notified(self, key: str) -> None:
        self._finish(key, "notified", None)

    def retry_later(self, key: str, error: str, delay_seconds: float) -> None:
        now = time.time()
        with self._write() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, lease_until = 0,"
                " last_error = ?, updated_at = ? WHERE key = ?",
                (now + delay_seconds, error[:500], now, key),
            )

    def pending_for(self, sender: str) -> list[OutboxItem]:
        """Requests of one citizen that the backend has not taken yet."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM outbox WHERE sender = ? AND state = 'pending' ORDER BY id", (sender,)
            ).fetchall()
        return [_item(r) for r in rows]

    def forget(self, sender: str) -> int:
        """ "Hapus data saya": drop every item of one citizen, delivered or not (a complaint still
        waiting would otherwise be filed later with the name and number they asked us to erase).
        Rows are zeroed and the write-ahead log emptied, so no copy stays in the files."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                removed = db.execute("DELETE FROM outbox WHERE sender = ?", (sender,)).rowcount
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(removed)

    def seconds_until_due(self) -> float | None:
        """None when nothing is owed; otherwise how long until the next item is due (>= 0)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT MIN(MAX(next_attempt_at, lease_until)) AS due FROM outbox WHERE state IN (?, ?, ?)",
                _OWED,
            ).fetchone()
        if row is None or row["due"] is None:
            return None
        return max(0.0, float(row["due"]) - time.time())

    def counts(self) -> dict[str, int]:
        with self._connect() as db:
            rows = db.execute("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state").fetchall()
        return {r["state"]: int(r["n"]) for r in rows}
