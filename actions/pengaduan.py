"""Complaint actions (JakLapor): start a report, submit or support it, cancel or resume it.

The form itself (questions and answer checks) lives in actions/pengaduan_form.py, status look-ups
and "sudah beres?" in actions/pengaduan_status.py; the queue for reports the backend could not
take lives in actions/pengaduan_antrean.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.city import city_client, city_values
from actions.common.dates import local_today
from actions.common.responses import response_text
from actions.common.tracker import contact, coordinates, entity_values, latest_intent
from actions.pengaduan_antrean import KIND, ensure_worker, outbox
from actions.pengaduan_bantu import (
    FORM_SLOTS,
    NO_PHOTO,
    backend_call_failed,
    has_draft,
    idempotency_key,
    match_service,
    pause_form,
    paused_draft,
    reset_form,
    services,
    tell_target,
)
from actions.pengaduan_jawaban import clean_description
from actions.pengaduan_tempat import canonical_area, find_area, street_in
from citybot.client import BackendUnavailable, CityClientError, NotFound, Rejected, Unauthorized
from citybot.media_links import is_own_media_url
from citybot.settings import get_settings

logger = logging.getLogger(__name__)

# "Saya tidak punya foto", "identitas saya tidak perlu dicantumkan" in the first message.
_NO_PHOTO = re.compile(
    r"\b(tidak|tdk|gak|ga|nggak|belum|tanpa)\s+(punya\s+|ada\s+|memiliki\s+|sempat\s+)?(foto|poto|gambar)\b",
    re.IGNORECASE,
)
_ANONYMOUS = re.compile(
    r"\banonim\b|\btanpa nama\b|\b(identitas|nama) saya (tidak|tdk|gak|ga|jangan) (perlu |usah )?"
    r"(dicantumkan|disebut|ditulis|dibuka)",
    re.IGNORECASE,
)


class ActionMulaiPengaduan(Action):
    """Starts a fresh draft: forgets an abandoned one, keeps what this message already said."""

    def name(self) -> str:
        return "action_mulai_pengaduan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ensure_worker()
        intent = latest_intent(tracker)
        keep: dict[str, Any] = {}
        if entity_values(tracker, "kategori"):
            keep["pengaduan_kategori"] = tracker.get_slot("pengaduan_kategori")
        # The entity model sometimes tags another word ("Sampah rumah tangga ..."): only a known
        # kelurahan/desa is kept; otherwise the text's own "Kelurahan X" is read below.
        named = next((area for v in entity_values(tracker, "kelurahan") if (area := canonical_area(str(v)))), None)
        if named:
            keep["pengaduan_kelurahan"] = named
        text = str(tracker.latest_message.get("text") or "")
        if intent == "kirim_lokasi" and coordinates(tracker):
            keep["pengaduan_lokasi"] = text  # parsed and checked by the form's validator
        media = [str(u) for u in entity_values(tracker, "media_url") if is_own_media_url(str(u), get_settings())]
        if intent == "kirim_foto" and media:
            keep["pengaduan_foto"] = media[-1]
        if intent == "lapor_pengaduan" and not text.startswith("/"):
            keep.update(await self._prefill(text, keep))
        events: list[EventType] = [
            SlotSet(name, None) for name in FORM_SLOTS if tracker.get_slot(name) is not None and name not in keep
        ]
        events += [SlotSet(name, value) for name, value in keep.items() if value is not None]
        events.append(SlotSet("pengaduan_id", uuid.uuid4().hex))
        events.append(SlotSet("kanal", contact(tracker)[0]))
        dispatcher.utter_message(response="utter_pengaduan_mulai")
        return events

    @staticmethod
    async def _prefill(text: str, known: dict[str, Any]) -> dict[str, Any]:
        """What the first message already says: category, street, kelurahan and the story itself.

        "min jalan depan rumah saya bolong gede bgt udah 2 minggu" must not be asked "Masalah
        apa?" and then for a description. Prefilled values still pass the form's validators.
        """
        found: dict[str, Any] = {}
        if not known.get("pengaduan_kategori"):
            match = match_service(text, await services(), fuzzy=False)
            if match:
                found["pengaduan_kategori"] = match[0]
        if street := street_in(text):
            found["pengaduan_lokasi"] = street
        if not known.get("pengaduan_kelurahan") and (area := find_area(text)):
            found["pengaduan_kelurahan"] = area
        if _NO_PHOTO.search(text):
            found["pengaduan_foto"] = NO_PHOTO
        if _ANONYMOUS.search(text):
            found["pengaduan_identitas"] = False
        described = clean_description(text)
        has_category = known.get("pengaduan_kategori") or found.get("pengaduan_kategori")
        if len(described.split()) >= (4 if has_category else 6):
            found["pengaduan_deskripsi"] = described[:1000]
        return found


def payload_of(tracker: Tracker, channel: str, sender: str) -> dict[str, Any]:
    """The create_complaint arguments for the current draft (without the idempotency key)."""
    slot = tracker.get_slot
    photo = slot("pengaduan_foto")
    identified = slot("pengaduan_identitas") is True and slot("pengaduan_persetujuan") is True
    payload: dict[str, Any] = {
        "service_code": slot("pengaduan_kategori"),
        "description": slot("pengaduan_deskripsi") or "",
        "channel": channel,
        "address": sender,
        "lat": slot("pengaduan_lat"),
        "long": slot("pengaduan_long"),
        "address_string": None if slot("pengaduan_lat") is not None else slot("pengaduan_lokasi"),
        "kelurahan": slot("pengaduan_kelurahan"),
        "media_url": photo if photo and photo != NO_PHOTO else None,
        "first_name": slot("pengaduan_nama") if identified else None,
        "phone": slot("pengaduan_telepon") if identified else None,
        # The city's own jurisdiction, so a backend serving several cities files it (and numbers
        # the ticket) under this city.
        "jurisdiction_id": city_values().jurisdiction_id,
    }
    return {k: v for k, v in payload.items() if v is not None}


class ActionKirimPengaduan(Action):
    """Files the finished draft (or supports the duplicate the citizen chose)."""

    def name(self) -> str:
        return "action_kirim_pengaduan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ensure_worker()
        slot = tracker.get_slot
        channel, sender = contact(tracker)
        if slot("pengaduan_dukung") is True and slot("pengaduan_duplikat"):
            return await self.support(dispatcher, str(slot("pengaduan_duplikat")), channel, sender)
        if slot("pengaduan_konfirmasi") != "kirim" or not slot("pengaduan_kategori"):
            last = slot("pengaduan_tiket_terakhir")
            if await asyncio.to_thread(outbox().pending_for, sender):
                dispatcher.utter_message(response="utter_pengaduan_tersimpan_antrean")
            elif last:
                dispatcher.utter_message(response="utter_pengaduan_sudah_terkirim", tiket=last)
            else:
                dispatcher.utter_message(response="utter_pengaduan_tidak_ada_draf")
            return []
        payload = payload_of(tracker, channel, sender)
        key = idempotency_key(sender, local_today(city_values().timezone), payload)
        try:
            async with city_client(attempts=2) as city:
                complaint = await city.create_complaint(**payload, idempotency_key=key)
        except (BackendUnavailable, Unauthorized) as exc:
            await backend_call_failed(exc)
            return await self.queue(dispatcher, domain, key, sender, payload)
        except (Rejected, NotFound) as exc:
            logger.warning("complaint rejected by the backend: %s", exc.code)
            dispatcher.utter_message(response="utter_pengaduan_ditolak", alasan=exc.message)
            return reset_form()
        except CityClientError as exc:
            await backend_call_failed(exc)
            return await self.queue(dispatcher, domain, key, sender, payload)
        logger.info("complaint filed as %s (form %s)", complaint.ticket, slot("pengaduan_id"))
        dispatcher.utter_message(
            response="utter_pengaduan_terkirim",
            tiket=complaint.ticket,
            instansi=complaint.agency_responsible or "dinas terkait",
        )
        tell_target(dispatcher, complaint)
        return [*reset_form(), SlotSet("pengaduan_tiket_terakhir", complaint.ticket)]

    async def queue(
        self, dispatcher: CollectingDispatcher, domain: DomainDict, key: str, sender: str, payload: dict[str, Any]
    ) -> list[EventType]:
        context = {
            "terkirim": response_text(domain, "utter_pengaduan_terkirim_susulan"),
            "gagal": response_text(domain, "utter_pengaduan_gagal_susulan"),
        }
        try:
            await asyncio.to_thread(outbox().enqueue, KIND, key, sender, payload, context)
        except Exception:  # cannot even store it: say so honestly rather than promise delivery
            logger.exception("complaint outbox write failed")
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return []
        logger.info("complaint queued for later delivery (key %s...)", key[:18])
        dispatcher.utter_message(response="utter_pengaduan_tersimpan_antrean")
        ensure_worker()
        return reset_form()

    async def support(
        self, dispatcher: CollectingDispatcher, ticket: str, channel: str, sender: str
    ) -> list[EventType]:
        try:
            async with city_client(attempts=2) as city:
                result = await city.support_complaint(ticket, channel=channel, address=sender)
        except Rejected:
            dispatcher.utter_message(response="utter_pengaduan_dukung_gagal", tiket=ticket)
            return reset_form()
        except CityClientError as exc:
            await backend_call_failed(exc)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return reset_form()
        if result.already_subscribed:
            dispatcher.utter_message(response="utter_pengaduan_sudah_mendukung", tiket=result.ticket)
        else:
            dispatcher.utter_message(
                response="utter_pengaduan_didukung", tiket=result.ticket, jumlah=result.supporters_count
            )
        return [*reset_form(), SlotSet("pengaduan_tiket_terakhir", result.ticket)]


class ActionBatalPengaduan(Action):
    def name(self) -> str:
        return "action_batal_pengaduan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if has_draft(tracker):
            # Kept for a day: people cancel by mistake or change their mind.
            dispatcher.utter_message(response="utter_pengaduan_dibatalkan_draf_disimpan")
            return pause_form()
        if tracker.get_slot("pengaduan_id"):
            dispatcher.utter_message(response="utter_pengaduan_dibatalkan")
        else:
            dispatcher.utter_message(response="utter_pengaduan_tidak_ada_draf")
        return reset_form()


class ActionLanjutkanPengaduan(Action):
    """ "Lanjutkan laporan tadi": the paused draft goes on where it stopped; else a fresh report."""

    def name(self) -> str:
        return "action_lanjutkan_pengaduan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ensure_worker()
        channel = SlotSet("kanal", contact(tracker)[0])
        if paused_draft(tracker):
            dispatcher.utter_message(response="utter_pengaduan_dilanjutkan")
            return [SlotSet("pengaduan_ditunda", None), channel]
        dispatcher.utter_message(response="utter_pengaduan_tidak_ada_draf_baru")
        return [*reset_form(), SlotSet("pengaduan_id", uuid.uuid4().hex), channel]
