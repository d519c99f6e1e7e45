"""Complaint status by ticket number or for the reporter, and the reporter's "sudah beres?" answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.city import city_client, city_values
from actions.common.dates import local, tanggal_jam_singkat
from actions.common.responses import response_text
from actions.common.tracker import contact, latest_intent
from actions.pengaduan_antrean import ensure_worker, outbox
from actions.pengaduan_bantu import backend_call_failed, tell_target, thanks_in, ticket_in
from citybot.client import CityClientError, Complaint, NotFound, Rejected

logger = logging.getLogger(__name__)


def when(moment: dt.datetime) -> str:
    """ "30 Nov 2026 14.05 WITA": in the city's zone, whichever zone the backend answered in."""
    city = city_values()
    return f"{tanggal_jam_singkat(local(moment, city.timezone))} {city.zone_label}"


_ASKS_WHEN = re.compile(r"\b(kapan|kpn|berapa (lama|hari)|brp (lama|hari)|sampai kapan|kira[- ]?kira|kira2)\b", re.I)


def _history(complaint: Complaint, limit: int = 4) -> str:
    lines = [
        f"• {when(h.changed_at)} — {h.status_label}" + (f": {h.note}" if h.note else "")
        for h in complaint.history[-limit:]
    ]
    return "\n".join(lines) or "-"


def _latest_note(complaint: Complaint) -> str:
    if complaint.history and complaint.history[-1].note:
        return complaint.history[-1].note
    return complaint.status_notes or "-"


def _beres_buttons(ticket: str) -> list[dict[str, str]]:
    return [
        {"title": "Sudah beres", "payload": f'/sudah_beres{{"nomor_tiket": "{ticket}"}}'},
        {"title": "Belum", "payload": f'/belum_beres{{"nomor_tiket": "{ticket}"}}'},
    ]


class ActionCekStatusLaporan(Action):
    """Status by ticket number (public), or the citizen's own recent reports (with details)."""

    def name(self) -> str:
        return "action_cek_status_laporan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ensure_worker()
        channel, sender = contact(tracker)
        ticket = ticket_in(tracker)
        text = str(tracker.latest_message.get("text") or "")
        if not ticket and _ASKS_WHEN.search(text[:300]):
            # "kira2 kapan dibenerin?" right after filing: about the report just made.
            ticket = tracker.get_slot("pengaduan_tiket_terakhir")
        if thanks_in(text):
            dispatcher.utter_message(response="utter_sama_sama_singkat")
        try:
            async with city_client(attempts=2) as city:
                if ticket:
                    # The backend decides what this sender may see: the reporter the whole
                    # complaint, a supporter or anyone else the public view (limited).
                    found = await city.lookup_complaint(ticket, channel=channel, address=sender)
                    if found.role == "reporter":
                        self.show_own(dispatcher, found.complaint)
                    else:
                        self.show_public(dispatcher, found.complaint)
                    return []
                mine = await city.complaints_of_reporter(channel, sender)
        except NotFound:
            dispatcher.utter_message(response="utter_status_tidak_ditemukan", tiket=ticket)
            return []
        except Rejected as exc:
            if exc.code != "status_lookup_limit":
                await backend_call_failed(exc)
                dispatcher.utter_message(response="utter_gangguan_sistem")
                return []
            logger.info("status look-up refused: limit reached")
            dispatcher.utter_message(response="utter_status_batas_cek")
            return []
        except CityClientError as exc:
            await backend_call_failed(exc)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return []
        lines = [
            f"• {c.ticket} — {c.service_name} — {c.status_label} ({when(c.updated_datetime)}): {_latest_note(c)}"
            for c in mine[:5]
        ]
        queued = await asyncio.to_thread(outbox().pending_for, sender)
        waiting = response_text(domain, "utter_pengaduan_status_antrean")
        lines += [f"• {waiting}: {item.payload.get('description', '')[:60]}" for item in queued]
        if not lines:
            dispatcher.utter_message(response="utter_status_minta_nomor")
            return []
        dispatcher.utter_message(response="utter_status_daftar", daftar="\n".join(lines))
        for complaint in mine[:5]:
            if complaint.awaiting_confirmation:
                buttons = _beres_buttons(complaint.ticket)
                dispatcher.utter_message(response="utter_status_tanya_beres", tiket=complaint.ticket, buttons=buttons)
        return []

    @staticmethod
    def show_own(dispatcher: CollectingDispatcher, complaint: Complaint) -> None:
        place = complaint.address or (
            f"titik peta ({complaint.lat:.5f}, {complaint.long:.5f})"
            if complaint.lat is not None and complaint.long is not None
            else "-"
        )
        if complaint.kelurahan and complaint.kelurahan.lower() not in place.lower():
            place = f"{place}, Kel. {complaint.kelurahan}"
        dispatcher.utter_message(
            response="utter_status_laporan_pelapor",
            tiket=complaint.ticket,
            kategori=complaint.service_name,
            lokasi=place,
            status=complaint.status_label,
            diperbarui=when(complaint.updated_datetime),
            riwayat=_history(complaint),
        )
        tell_target(dispatcher, complaint)
        if complaint.awaiting_confirmation:
            dispatcher.utter_message(
                response="utter_status_tanya_beres", tiket=complaint.ticket, buttons=_beres_buttons(complaint.ticket)
            )

    @staticmethod
    def show_public(dispatcher: CollectingDispatcher, complaint: Complaint) -> None:
        dispatcher.utter_message(
            response="utter_status_laporan",
            tiket=complaint.ticket,
            kategori=complaint.service_name,
            status=complaint.status_label,
            diperbarui=when(complaint.updated_datetime),
        )
        tell_target(dispatcher, complaint)


class ActionJawabPenyelesaian(Action):
    """The reporter's answer to "Selesai — sudah beres?": confirms, or reopens the complaint."""

    def name(self) -> str:
        return "action_jawab_penyelesaian"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        resolved = latest_intent(tracker) == "sudah_beres"
        channel, sender = contact(tracker)
        ticket = ticket_in(tracker)
        try:
            async with city_client(attempts=2) as city:
                if ticket is None:
                    waiting = [c for c in await city.complaints_of_reporter(channel, sender) if c.awaiting_confirmation]
                    if len(waiting) != 1:
                        dispatcher.utter_message(response="utter_penyelesaian_nomor_tidak_ada")
                        return []
                    ticket = waiting[0].ticket
                try:
                    await city.answer_resolution(ticket, channel=channel, address=sender, resolved=resolved)
                except Rejected as exc:
                    if exc.code in ("not_reporter", "not_subscriber"):
                        dispatcher.utter_message(response="utter_penyelesaian_bukan_pelapor", tiket=ticket)
                    else:
                        current = await city.get_complaint(ticket)
                        dispatcher.utter_message(
                            response="utter_penyelesaian_tidak_menunggu", tiket=ticket, status=current.status_label
                        )
                    return []
        except NotFound:
            dispatcher.utter_message(response="utter_status_tidak_ditemukan", tiket=ticket)
            return []
        except CityClientError as exc:
            await backend_call_failed(exc)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return []
        key = "utter_penyelesaian_terima_kasih" if resolved else "utter_penyelesaian_dibuka_kembali"
        dispatcher.utter_message(response=key, tiket=ticket)
        return []
