"""Cancelling and rescheduling a HomeCare booking by its code, only from the chat that booked it."""

from __future__ import annotations

import logging
import uuid
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.city import city_client, city_values
from actions.common.dates import zone_label
from actions.common.services import offered_or_explain
from actions.common.tracker import latest_text
from actions.form_base import CitizenFormValidation
from actions.homecare.parsing import match_option, normalise_code, slot_buttons, slot_options
from actions.homecare.state import ACTIVE_STATUSES, STOP_SLOT, booking_info, reset_events
from citybot.client import CityClientError, NotFound, Rejected

log = logging.getLogger(__name__)


class _MulaiDenganKode(Action, ABC):
    """Starts cancel/reschedule with the code in this message, else the one booked in this chat."""

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        unavailable = offered_or_explain(dispatcher, domain, "homecare")
        if unavailable is not None:
            return unavailable
        # A code issued in this conversation is the citizen's own: don't ask for it again.
        code = (
            normalise_code(latest_text(tracker))
            or next(tracker.get_latest_entity_values("kode_booking"), None)
            or tracker.get_slot("kode_booking")
        )
        events = reset_events()
        events += [
            SlotSet("kode_booking", normalise_code(code) if code else None),
            SlotSet("homecare_kunci", uuid.uuid4().hex),
        ]
        return events


class ActionMulaiBatalHomecare(_MulaiDenganKode):
    def name(self) -> str:
        return "action_mulai_batal_homecare"


class ActionMulaiUbahJadwal(_MulaiDenganKode):
    def name(self) -> str:
        return "action_mulai_ubah_jadwal"


class _ValidateKode(CitizenFormValidation):
    """Shared by the cancel and reschedule forms (abstract: its subclasses name the form)."""

    stop_slot = STOP_SLOT

    async def validate_kode_booking(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value):
            return self.stop("kode_booking", None, "batal")
        code = normalise_code(str(value or ""))
        if code is None:
            return self.reask(
                dispatcher,
                tracker,
                domain,
                "kode_booking",
                "utter_hc_kode_tidak_ditemukan",
                kode=str(value or "").strip()[:20],
            )
        try:
            async with city_client() as city:
                booking = await city.get_booking(code)
        except NotFound:
            return self.reask(dispatcher, tracker, domain, "kode_booking", "utter_hc_kode_tidak_ditemukan", kode=code)
        except CityClientError:
            log.warning("get_booking failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return self.stop("kode_booking", None, "gangguan")
        if booking.channel_address != tracker.sender_id:
            # Booked from another conversation, or with no channel at all (the call centre): a code
            # typed or forged in a button payload proves nothing, so it must not reveal the patient
            # or let anyone cancel; answer exactly as for an unknown code.
            return self.reask(dispatcher, tracker, domain, "kode_booking", "utter_hc_kode_tidak_ditemukan", kode=code)
        if booking.status not in ACTIVE_STATUSES:
            dispatcher.utter_message(response="utter_hc_booking_tidak_aktif", kode=code, status=booking.status)
            return self.stop("kode_booking", code, "tidak_aktif")
        return {"kode_booking": code, "hc_booking_info": booking_info(booking)}


class ValidateBatalHomecareForm(_ValidateKode):
    def name(self) -> str:
        return "validate_batal_homecare_form"


class ValidateUbahJadwalForm(_ValidateKode):
    def name(self) -> str:
        return "validate_ubah_jadwal_form"

    async def validate_hc_jadwal_baru(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value):
            return self.stop("hc_jadwal_baru", None, "batal")
        chosen = match_option(value, tracker.get_slot("hc_jadwal_opsi") or [])
        if chosen is None:
            return self.reask(dispatcher, tracker, domain, "hc_jadwal_baru", "utter_hc_jadwal_tidak_dikenali")
        return {"hc_jadwal_baru": str(chosen["id"])}


class ActionAskHcBatalSetuju(Action):
    def name(self) -> str:
        return "action_ask_hc_batal_setuju"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        info = tracker.get_slot("hc_booking_info") or {}
        dispatcher.utter_message(
            response="utter_ask_hc_batal_setuju",
            kode=info.get("kode"),
            nama=info.get("nama"),
            jadwal=info.get("jadwal"),
            puskesmas=info.get("puskesmas"),
        )
        return []


def _not_going_on(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The form ended without a change; a citizen who said "batal" hears that nothing changed."""
    if tracker.get_slot(STOP_SLOT) == "batal":
        dispatcher.utter_message(response="utter_hc_batal_diurungkan", kode=tracker.get_slot("kode_booking") or "Anda")
    return reset_events(keep_code=True)


class ActionBatalHomecare(Action):
    def name(self) -> str:
        return "action_batal_homecare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code = tracker.get_slot("kode_booking")
        if tracker.get_slot(STOP_SLOT) or not code:
            return _not_going_on(dispatcher, tracker)
        if tracker.get_slot("hc_batal_setuju") is not True:
            dispatcher.utter_message(response="utter_hc_batal_diurungkan", kode=code)
            return reset_events(keep_code=True)
        try:
            async with city_client() as city:
                await city.cancel_booking(code, reason="Dibatalkan warga lewat Asisten Kota")
        except Rejected as exc:
            dispatcher.utter_message(response="utter_hc_gagal", alasan=exc.message)
            return reset_events(keep_code=True)
        except CityClientError:
            log.warning("cancel failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return reset_events(keep_code=True)
        dispatcher.utter_message(response="utter_hc_batal_berhasil", kode=code)
        return reset_events(keep_code=True)


class ActionAskHcJadwalBaru(Action):
    def name(self) -> str:
        return "action_ask_hc_jadwal_baru"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        info = tracker.get_slot("hc_booking_info") or {}
        try:
            async with city_client() as city:
                slots = await city.free_slots(int(info["puskesmas_id"]))
        except (CityClientError, KeyError, TypeError, ValueError):
            log.warning("free_slots failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return [SlotSet(STOP_SLOT, "gangguan"), SlotSet("requested_slot", None), ActiveLoop(None)]
        slots = [s for s in slots if s.id != info.get("slot_id")]
        tz_name = info.get("tz") or city_values().timezone
        if not slots:
            dispatcher.utter_message(
                response="utter_hc_jadwal_kosong",
                puskesmas=info.get("puskesmas"),
                telepon=city_values().emergency_number,
            )
            return [SlotSet(STOP_SLOT, "penuh"), SlotSet("requested_slot", None), ActiveLoop(None)]
        options = slot_options(slots, tz_name)
        dispatcher.utter_message(
            response="utter_ask_hc_jadwal_baru",
            buttons=slot_buttons(options),
            kode=info.get("kode"),
            jadwal=info.get("jadwal"),
            zona=zone_label(tz_name),
        )
        return [SlotSet("hc_jadwal_opsi", options)]


class ActionUbahJadwalHomecare(Action):
    def name(self) -> str:
        return "action_ubah_jadwal_homecare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code = tracker.get_slot("kode_booking")
        new_slot = tracker.get_slot("hc_jadwal_baru")
        if tracker.get_slot(STOP_SLOT) or not code or not new_slot:
            return _not_going_on(dispatcher, tracker)
        try:
            async with city_client() as city:
                booking = await city.reschedule_booking(
                    code, slot_id=int(new_slot), idempotency_key=tracker.get_slot("homecare_kunci")
                )
        except Rejected as exc:
            dispatcher.utter_message(response="utter_hc_gagal", alasan=exc.message)
            return reset_events(keep_code=True)
        except CityClientError:
            log.warning("reschedule failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return reset_events(keep_code=True)
        info = booking_info(booking)
        dispatcher.utter_message(
            response="utter_hc_ubah_berhasil", kode=code, jadwal=info["jadwal"], puskesmas=info["puskesmas"]
        )
        return [*reset_events(keep_code=True), SlotSet("homecare_kunci", None)]
