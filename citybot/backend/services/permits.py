"""Permit applications (JakEvo): look-up by application number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybot.backend.errors import not_found
from citybot.backend.models import PermitApplication

LABELS = {
    "diajukan": "Diajukan",
    "verifikasi": "Verifikasi berkas",
    "perbaikan": "Perlu perbaikan berkas",
    "survei": "Survei lapangan",
    "pembayaran": "Menunggu pembayaran retribusi",
    "diproses": "Diproses",
    "terbit": "Izin terbit",
    "ditolak": "Ditolak",
}


def status_label(status: str) -> str:
    return LABELS.get(status, status.capitalize())


def by_number(session: Session, number: str) -> PermitApplication:
    found = session.scalar(
        select(PermitApplication).where(PermitApplication.application_number == number.strip().upper())
    )
    if found is None:
        raise not_found("permit_not_found", f"Permohonan dengan nomor {number} tidak ditemukan.")
    return found
