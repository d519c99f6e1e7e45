"""Limits on looking up complaints that are not one's own.

Ticket numbers are sequential (JKL-2026-000123), so anyone can walk through them. A look-up of a
complaint the citizen did not file shows only the public view, and such look-ups are limited per
citizen (channel + sender id) and city-wide within one window; a citizen's own complaints are
never counted. Like the hourly complaint limit, the memory is the database (shared by every
backend process), here a small table holding only allowed look-ups of the current window: it is
pruned on each insert, so it never holds more than the city-wide limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from citybot.backend.errors import invalid
from citybot.backend.models import StatusLookup, utcnow

LIMIT_CODE = "status_lookup_limit"
_MESSAGE = (
    "Mohon maaf, pengecekan status laporan milik orang lain sedang dibatasi. Silakan coba lagi "
    'sekitar {menit} menit lagi. Status laporan Anda sendiri tetap bisa dilihat dengan mengetik "laporan saya".'
)


def subject_hash(key: str, channel: str, address: str) -> str:
    return hmac.new(key.encode(), f"{channel}:{address}".encode(), hashlib.sha256).hexdigest()


def check_and_record(session: Session, subject: str, *, per_subject: int, total: int, window_seconds: int) -> None:
    """Count this look-up, or refuse it (422 with a sentence the bot can read out)."""
    now = utcnow()
    since = now - dt.timedelta(seconds=window_seconds)
    session.execute(delete(StatusLookup).where(StatusLookup.created_at < since))
    overall = session.scalar(select(func.count(StatusLookup.id))) or 0
    mine = session.scalar(select(func.count(StatusLookup.id)).where(StatusLookup.subject_hash == subject)) or 0
    if mine >= per_subject or overall >= total:
        minutes = max(1, round(window_seconds / 60))
        raise invalid(LIMIT_CODE, _MESSAGE.format(menit=minutes))
    session.add(StatusLookup(subject_hash=subject, created_at=now))
    session.flush()
