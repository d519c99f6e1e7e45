"""Data-subject rights (UU PDP No. 27/2022): show and delete what the city holds about the citizen.

The subject is only the identity the platform vouches for: the channel the gateway names and the
Rasa sender id (a keyed hash of the Telegram chat id, the signed WhatsApp number or the web
client's server-issued id). Nothing the citizen types widens it: a phone number typed into a form
proves nothing, so data recorded under a typed number (e.g. a booking made by phone at the call
centre) is only released by an agent after the owner proves the number.

Deleting (issue 12, item 8) reaches every store that holds the sender's data: the city backend
anonymises complaints (reporter, story, photo) and bookings and drops stored replies; this action
server drops the sender's items from its complaint queue; the gateway deletes the sender's
messages, queued replies, directory row and photos, and erases the sender's Rasa tracker once
this turn has been saved (see citybot/gateway/erasure.py). `Restarted` resets this conversation
in the meantime.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.city import city_client, city_values
from actions.common.dates import waktu_lengkap
from actions.common.responses import response_text
from actions.common.tracker import contact
from actions.pengaduan_antrean import outbox
from citybot.client import CityClientError, DataDeletion, DataExport
from citybot.client.gateway import GatewayClient

log = logging.getLogger(__name__)


def _when(value: Any, tz_name: str) -> str:
    if not value:
        return "-"
    try:
        return waktu_lengkap(dt.datetime.fromisoformat(str(value)), tz_name)
    except ValueError:
        return str(value)


def _v(value: Any) -> str:
    return "-" if value in (None, "", {}) else str(value)


def export_text(domain: DomainDict, data: list[DataExport], tz_name: str) -> str:
    complaints: dict[str, dict[str, Any]] = {}
    subscriptions: dict[tuple[str, str], dict[str, Any]] = {}
    bookings: dict[str, dict[str, Any]] = {}
    for export in data:  # by sender id and by phone: the same record may come twice
        complaints.update({str(c.get("ticket")): c for c in export.complaints})
        subscriptions.update({(str(s.get("ticket")), str(s.get("role"))): s for s in export.subscriptions})
        bookings.update({str(b.get("code")): b for b in export.bookings})
    parts: list[str] = []
    if complaints:
        parts.append(response_text(domain, "utter_data_bagian_laporan", jumlah=len(complaints)))
        parts += [
            response_text(
                domain,
                "utter_data_baris_laporan",
                tiket=c.get("ticket"),
                status=_v(c.get("status")),
                deskripsi=_v(c.get("description")),
                alamat=_v(c.get("address")),
                nama=_v(c.get("reporter_name")),
                telepon=_v(c.get("phone")),
                dibuat=_when(c.get("created_at"), tz_name),
            )
            for c in complaints.values()
        ]
    if subscriptions:
        parts.append(response_text(domain, "utter_data_bagian_langganan", jumlah=len(subscriptions)))
        parts += [
            response_text(
                domain,
                "utter_data_baris_langganan",
                tiket=s.get("ticket"),
                peran=_v(s.get("role")),
                dibuat=_when(s.get("created_at"), tz_name),
            )
            for s in subscriptions.values()
        ]
    if bookings:
        parts.append(response_text(domain, "utter_data_bagian_homecare", jumlah=len(bookings)))
        parts += [
            response_text(
                domain,
                "utter_data_baris_homecare",
                kode=b.get("code"),
                status=_v(b.get("status")),
                nama=_v(b.get("patient_name")),
                umur=_v(b.get("patient_age")),
                telepon=_v(b.get("phone")),
                alamat=_v(b.get("address")),
                kelurahan=_v(b.get("kelurahan")),
                keluhan=_v(b.get("complaint")),
                jadwal=_when(b.get("visit_start"), tz_name),
            )
            for b in bookings.values()
        ]
    return "\n".join(parts)


class ActionEksporData(Action):
    def name(self) -> str:
        return "action_ekspor_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        channel, address = contact(tracker)
        try:
            async with city_client() as city:
                exports = [await city.export_data(channel=channel, address=address)]
        except CityClientError:
            log.warning("data export failed", exc_info=True)
            dispatcher.utter_message(response="utter_data_gagal")
            return []
        tz_name = city_values().timezone
        text = export_text(domain, exports, tz_name)
        if not text:
            dispatcher.utter_message(response="utter_data_kosong")
            return []
        dispatcher.utter_message(
            response="utter_data_ekspor", waktu=waktu_lengkap(exports[0].generated_at, tz_name), isi=text
        )
        return []


def merge(deletions: list[DataDeletion]) -> dict[str, Any]:
    return {
        "audit": ", ".join(str(d.audit_id) for d in deletions),
        "laporan": sum(d.complaints_anonymised for d in deletions),
        "langganan": sum(d.subscriptions_removed for d in deletions),
        "homecare": sum(d.bookings_anonymised for d in deletions),
        "antrean": sum(d.outbox_removed for d in deletions),
    }


class ActionHapusData(Action):
    def name(self) -> str:
        return "action_hapus_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        channel, address = contact(tracker)
        try:
            async with city_client() as city:
                deletions = [await city.delete_data(channel=channel, address=address)]
            queued = await asyncio.to_thread(outbox().forget, address)
            media = [url for d in deletions for url in d.media_urls]
            await GatewayClient().erase(address, media_urls=media, after_action=self.name())
        except CityClientError:
            # Nothing is half-promised: every step is repeatable, so "coba lagi" finishes the job.
            log.warning("data deletion failed", exc_info=True)
            dispatcher.utter_message(response="utter_data_gagal")
            return []
        log.info("data deletion done: audit %s", ", ".join(str(d.audit_id) for d in deletions))
        values = merge(deletions)
        values["antrean"] += queued
        dispatcher.utter_message(response="utter_data_dihapus", **values)
        # Forget everything this conversation remembered (slots, active form, history used for
        # predictions); the next message starts afresh.
        return [AllSlotsReset(), Restarted()]
