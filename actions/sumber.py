"""The line under every knowledge answer: official source, review date and where the rule applies.

A citizen acts on the answer (pays, brings documents, meets a deadline), so the answer names the
document, its first official link and the day a person last checked it against that link.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from actions.common.dates import tanggal_singkat
from citybot.retrieval.documents import SCOPES


def review_date(iso: str) -> str:
    """'2026-11-30' -> '30 Nov 2026' ('' stays '')."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return ""
    return tanggal_singkat(day)


def source_line(hit: Any) -> str:
    """'Title · https://… · diperiksa 30 Nov 2026 (aturan khusus DKI Jakarta)' for one hit."""
    parts = [str(hit.title)]
    sources = list(getattr(hit, "sources", ()) or ())
    if sources:
        parts.append(sources[0])
    checked = review_date(str(getattr(hit, "reviewed", "") or ""))
    parts.append(f"diperiksa {checked}" if checked else "belum diperiksa ulang petugas")
    line = " · ".join(parts)
    place = SCOPES.get(str(getattr(hit, "scope", "") or ""), "")
    return f"{line} (aturan khusus {place})" if place else line
