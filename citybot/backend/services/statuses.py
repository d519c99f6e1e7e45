"""Complaint workflow: internal statuses, Indonesian labels, Open311 mapping, allowed moves."""

from __future__ import annotations

from typing import Literal

LABELS: dict[str, str] = {
    "menunggu": "Menunggu",
    "koordinasi": "Koordinasi",
    "disposisi": "Disposisi",
    "proses": "Proses",
    "selesai": "Selesai",
    "ditolak": "Ditolak",
    "duplikat": "Duplikat",
    "dibatalkan": "Dibatalkan",
}
OPEN = frozenset({"menunggu", "koordinasi", "disposisi", "proses"})
CLOSED = frozenset({"selesai", "ditolak", "duplikat", "dibatalkan"})
# Only a supervisor may close a complaint without resolving it, or reopen a closed one.
SUPERVISOR_ONLY = frozenset({"ditolak", "duplikat"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "menunggu": frozenset({"koordinasi", "disposisi", "proses", "ditolak", "duplikat", "dibatalkan"}),
    "koordinasi": frozenset({"disposisi", "proses", "ditolak", "duplikat", "dibatalkan"}),
    "disposisi": frozenset({"koordinasi", "proses", "ditolak", "dibatalkan"}),
    "proses": frozenset({"disposisi", "selesai", "dibatalkan"}),
    "selesai": frozenset({"proses"}),
    "ditolak": frozenset({"menunggu"}),
    "duplikat": frozenset({"menunggu"}),
    "dibatalkan": frozenset({"menunggu"}),
}


def label(status: str) -> str:
    return LABELS.get(status, status.capitalize())


def open311_status(status: str) -> Literal["open", "closed"]:
    return "closed" if status in CLOSED else "open"


def allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())
