"""The editors' report: where review effort is due (``python -m citybot.retrieval review``).

Documents by review age (never reviewed first, then oldest), deadlines in the text that have
passed, and documents without official sources (those are also validation errors).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .documents import load_knowledge
from .facts import is_stale


def review_report(root: Path, today: dt.date, max_age_months: int) -> str:
    knowledge = load_knowledge(root, today=today, review_max_age_months=max_age_months)
    docs = sorted(knowledge.documents, key=lambda d: (d.reviewed != "", d.reviewed, d.doc_id))
    lines = [f"Dokumen menurut umur pemeriksaan (batas {max_age_months} bulan, hari ini {today}):"]
    for d in docs:
        if not d.reviewed:
            age, mark = "belum pernah diperiksa", "!"
        else:
            day = dt.date.fromisoformat(d.reviewed)
            age = f"{d.reviewed}, {(today - day).days} hari lalu"
            mark = "!" if is_stale(day, today, max_age_months) else " "
        scope = f" [{d.scope}]" if d.scope else ""
        lines.append(f" {mark} {d.doc_id:<34} {age:<28} {len(d.sources)} sumber{scope}")
    passed = [i for i in knowledge.issues if "has passed" in i.message]
    lines += ["", f"Tanggal yang sudah lewat ({len(passed)}):"]
    lines += [f"   {i.path}:{i.line}: {i.message}" for i in passed] or ["   (tidak ada)"]
    unsourced = [i for i in knowledge.issues if i.message == "front matter is missing 'sources'"]
    lines += ["", f"Dokumen tanpa sumber resmi ({len(unsourced)}):"]
    lines += [f"   {i.path}" for i in unsourced] or ["   (tidak ada)"]
    never = sum(1 for d in docs if not d.reviewed)
    stale = sum(1 for d in docs if d.reviewed and is_stale(dt.date.fromisoformat(d.reviewed), today,
                                                           max_age_months))
    lines += ["", f"{len(docs)} dokumen: {never} belum diperiksa, {stale} perlu diperiksa ulang, "
                  f"{len(passed)} tanggal lewat, {len(unsourced)} tanpa sumber."]
    return "\n".join(lines)
