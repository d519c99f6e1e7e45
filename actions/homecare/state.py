"""The slots of a HomeCare conversation and what a booking looks like to the citizen."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet

from actions.common.dates import waktu_lengkap, zone_label
from citybot.client import Booking

FORM_SLOTS = (
    "hc_tb_kritis",
    "hc_tb_lain",
    "hc_setuju",
    "hc_nama",
    "hc_umur",
    "hc_telepon",
    "hc_alamat",
    "hc_kelurahan",
    "hc_keluhan",
    "hc_jadwal",
    "hc_konfirmasi",
)
# Everything a booking conversation may have collected; cleared when it ends either way.
ALL_SLOTS = (
    *FORM_SLOTS,
    "hc_berhenti",
    "hc_kelurahan_gagal",
    "hc_puskesmas_id",
    "hc_puskesmas_nama",
    "hc_jadwal_opsi",
    "hc_booking_info",
    "hc_batal_setuju",
    "hc_jadwal_baru",
)
# Why a HomeCare form ended early; the action after the form reads it.
STOP_SLOT = "hc_berhenti"
ACTIVE_STATUSES = ("booked", "proposed")


def booking_info(booking: Booking) -> dict[str, Any]:
    tz_name = booking.puskesmas.timezone
    return {
        "kode": booking.code,
        "nama": booking.patient_name,
        "status": booking.status,
        "jadwal": waktu_lengkap(booking.slot.start, tz_name),
        "slot_id": booking.slot.id,
        "puskesmas": booking.puskesmas.name,
        "puskesmas_id": booking.puskesmas.id,
        "zona": zone_label(tz_name),
        "tz": tz_name,
    }


def reset_events(keep_code: bool = False) -> list[EventType]:
    events: list[EventType] = [SlotSet(name, None) for name in ALL_SLOTS]
    if not keep_code:
        events.append(SlotSet("kode_booking", None))
    return events
