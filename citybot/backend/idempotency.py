"""`Idempotency-Key` for POSTs: a repeat returns the first result and creates nothing.

The key row is inserted in the same transaction as the work. Two concurrent repeats therefore
meet at the unique constraint (PostgreSQL makes the second wait for the first to commit; SQLite
transactions here are BEGIN IMMEDIATE, so they are serialised), and the loser replays the
stored answer instead of doing the work again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citybot.backend.db import Database
from citybot.backend.errors import ApiError, conflict
from citybot.backend.models import IdempotencyKey
from citybot.backend.validation import clean_text

Work = Callable[[Session], tuple[int, Any]]


def request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(row: IdempotencyKey, digest: str) -> tuple[int, Any]:
    if row.request_hash != digest:
        raise ApiError(
            422, "idempotency_key_reused", "Idempotency-Key ini sudah dipakai untuk permintaan yang berbeda."
        )
    return row.status_code, json.loads(row.response_body)


def run(db: Database, scope: str, key: str | None, payload: Any, work: Work) -> tuple[int, Any]:
    """Run `work` in one write transaction, at most once per (scope, key)."""
    if key is None:
        with db.writing() as session:
            return work(session)
    key = clean_text(key, "idempotency_key", 200)
    if key is None:
        with db.writing() as session:
            return work(session)
    digest = request_hash(payload)
    for _ in range(3):
        try:
            with db.writing() as session:
                row = session.scalar(
                    select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
                )
                if row is not None:
                    return _replay(row, digest)
                row = IdempotencyKey(scope=scope, key=key, request_hash=digest)
                session.add(row)
                session.flush()  # a concurrent holder of the same key blocks us here, then we fail
                status, body = work(session)
                row.status_code = status
                row.response_body = json.dumps(body, ensure_ascii=False)
                return status, body
        except IntegrityError as exc:
            if "idempotency" not in str(exc.orig).lower():
                raise
            continue  # the other request committed first: loop and replay its answer
    raise conflict("idempotency_in_progress", "Permintaan yang sama sedang diproses, coba lagi sebentar.")
