"""The summary a citizen checks before a complaint is sent (Kirim / Ubah / Batal)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.responses import response_text
from actions.pengaduan_bantu import NO_PHOTO, mask_phone


class ActionAskPengaduanKonfirmasi(Action):
    """The summary before sending, with Kirim / Ubah / Batal."""

    def name(self) -> str:
        return "action_ask_pengaduan_konfirmasi"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_pengaduan_ringkasan", **summary(tracker, domain))
        return []


def summary(tracker: Tracker, domain: DomainDict) -> dict[str, str]:
    slot = tracker.get_slot
    place = str(slot("pengaduan_lokasi") or "-")
    area = slot("pengaduan_kelurahan")
    if area and str(area).lower() not in place.lower():
        place = f"{place}, Kel. {area}"
    photo = slot("pengaduan_foto")
    has_photo = bool(photo) and photo != NO_PHOTO
    if slot("pengaduan_identitas") is True and slot("pengaduan_nama"):
        reporter = f"{slot('pengaduan_nama')} ({mask_phone(slot('pengaduan_telepon'))})"
    else:
        reporter = response_text(domain, "utter_pengaduan_pelapor_anonim")
    return {
        "kategori": str(slot("pengaduan_kategori_nama") or slot("pengaduan_kategori") or "-"),
        "lokasi": place,
        "deskripsi": str(slot("pengaduan_deskripsi") or "-"),
        "foto": response_text(domain, "utter_pengaduan_foto_ada" if has_photo else "utter_pengaduan_foto_tidak_ada"),
        "pelapor": reporter,
    }
