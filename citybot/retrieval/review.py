"""The editors' report: where review effort is due (``python -m citybot.retrieval review`` and the
console's Pengetahuan tab).

Documents by review age (never reviewed first, then oldest), deadlines in the text that have
passed, documents without official sources (those are also validation errors), and the documents
citizens were shown most in the last 30 days (counted by the city backend), so the most-read
documents are checked first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .facts import is_stale
from .loader import load_knowledge


@dataclass(frozen=True)
class ReviewRow:
    doc_id: str
    title: str
    reviewed: str  # '' = never reviewed
    age_days: int | None
    stale: bool  # never reviewed, or reviewed longer ago than the limit
    sources: int
    scope: str


@dataclass(frozen=True)
class MostShown:
    """The backend's counts, or why they are missing (`error` set, `items` empty)."""

    days: int = 30
    items: list[tuple[str, int]] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class Review:
    today: str
    max_age_months: int
    documents: list[ReviewRow]
    passed: list[str]  # 'path:line: message'
    unsourced: list[str]  # paths
    never: int
    due: int


def review(root: Path, today: dt.date, max_age_months: int) -> Review:
    knowledge = load_knowledge(root, today=today, review_max_age_months=max_age_months)
    docs = sorted(knowledge.documents, key=lambda d: (d.reviewed != "", d.reviewed, d.doc_id))
    rows = []
    for d in docs:
        day = dt.date.fromisoformat(d.reviewed) if d.reviewed else None
        rows.append(
            ReviewRow(
                d.doc_id,
                d.title,
                d.reviewed,
                (today - day).days if day else None,
                day is None or is_stale(day, today, max_age_months),
                len(d.sources),
                d.scope,
            )
        )
    passed = [f"{i.path}:{i.line}: {i.message}" for i in knowledge.issues if "has passed" in i.message]
    unsourced = [str(i.path) for i in knowledge.issues if i.message == "front matter is missing 'sources'"]
    never = sum(1 for r in rows if not r.reviewed)
    return Review(
        str(today), max_age_months, rows, passed, unsourced, never, sum(1 for r in rows if r.reviewed and r.stale)
    )


def review_json(result: Review, shown: MostShown) -> dict[str, Any]:
    titles = {r.doc_id: r.title for r in result.documents}
    data = asdict(result)
    data["most_shown"] = {
        "days": shown.days,
        "error": shown.error,
        "items": [{"doc_id": d, "title": titles.get(d, ""), "count": n} for d, n in shown.items],
    }
    return data


def review_report(root: Path, today: dt.date, max_age_months: int, shown: MostShown | None = None) -> str:
    result = review(root, today, max_age_months)
    lines = [f"Dokumen menurut umur pemeriksaan (batas {max_age_months} bulan, hari ini {today}):"]
    for r in result.documents:
        age = "belum pernah diperiksa" if not r.reviewed else f"{r.reviewed}, {r.age_days} hari lalu"
        scope = f" [{r.scope}]" if r.scope else ""
        lines.append(f" {'!' if r.stale else ' '} {r.doc_id:<34} {age:<28} {r.sources} sumber{scope}")
    lines += ["", f"Tanggal yang sudah lewat ({len(result.passed)}):"]
    lines += [f"   {p}" for p in result.passed] or ["   (tidak ada)"]
    lines += ["", f"Dokumen tanpa sumber resmi ({len(result.unsourced)}):"]
    lines += [f"   {p}" for p in result.unsourced] or ["   (tidak ada)"]
    if shown is not None:
        lines += ["", f"Paling sering ditampilkan ke warga, {shown.days} hari terakhir:"]
        if shown.error:
            lines.append(f"   (tidak tersedia: {shown.error})")
        else:
            reviewed = {r.doc_id: r for r in result.documents}
            for doc_id, count in shown.items:
                row = reviewed.get(doc_id)
                note = "" if row is None else (" — perlu diperiksa" if row.stale else "")
                lines.append(f"   {count:>6} kali  {doc_id}{note}")
            if not shown.items:
                lines.append("   (belum ada jawaban tercatat)")
    lines += [
        "",
        f"{len(result.documents)} dokumen: {result.never} belum diperiksa, {result.due} perlu "
        f"diperiksa ulang, {len(result.passed)} tanggal lewat, {len(result.unsourced)} tanpa sumber.",
    ]
    return "\n".join(lines)
