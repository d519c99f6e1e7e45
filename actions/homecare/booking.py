"""The HomeCare booking form: red-flag questions first, then consent, patient, place and slot.

A "yes" to a red flag (or an emergency message) ends the form without a booking. Every form run
carries its own idempotency key, so a retried booking call never books twice.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.answers import parse_phone, yes_no
from actions.common.city import city_client, city_values
from actions.common.dates import zone_label
from actions.common.services import offered_or_explain
from actions.common.tracker import contact, latest_intent
from actions.form_base import CitizenFormValidation
from actions.homecare.parsing import (
    KELURAHAN_IN_ADDRESS,
    age_label,
    kelurahan_name,
    match_option,
    parse_age,
    slot_buttons,
    slot_options,
)
from actions.homecare.state import STOP_SLOT, booking_info, reset_events
from citybot.client import CityClientError, Rejected

log = logging.getLogger(__name__)

RED_FLAG_KEYS = {
    "hc_tb_kritis": "tidak_sadar_sesak_berat_nyeri_dada",
    "hc_tb_lain": "perdarahan_kejang_stroke_kecelakaan",
}
MAX_KELURAHAN_MISSES = 2


class ActionMulaiHomecare(Action):
    """Starts a booking conversation: fresh slots and a fresh idempotency key."""

    def name(self) -> str:
        return "action_mulai_homecare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        unavailable = offered_or_explain(dispatcher, domain, "homecare")
        if unavailable is not None:
            return unavailable
        dispatcher.utter_message(response="utter_homecare_segera", kota=city_values().name)
        return [*reset_events(keep_code=True), SlotSet("homecare_kunci", uuid.uuid4().hex)]


class ValidateHomecareForm(CitizenFormValidation):
    # A red flag, a refusal or "batal" ends the form: the closing action explains why.
    stop_slot = STOP_SLOT

    def name(self) -> str:
        return "validate_homecare_form"

    def _red_flag(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = yes_no(value, latest_intent(tracker))
        if answer is None and self.wants_out(value, tracker):
            return self.stop(slot, None, "batal")
        if answer is None:
            return self.reask(dispatcher, tracker, domain, slot, "utter_hc_jawab_ya_tidak")
        if answer:
            return self.stop(slot, True, "darurat")
        return {slot: False}

    async def validate_hc_tb_kritis(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._red_flag("hc_tb_kritis", value, dispatcher, tracker, domain)

    async def validate_hc_tb_lain(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._red_flag("hc_tb_lain", value, dispatcher, tracker, domain)

    async def validate_hc_setuju(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = yes_no(value, latest_intent(tracker))
        if answer is None and self.wants_out(value, tracker):
            return self.stop("hc_setuju", None, "batal")
        if answer is None:
            return self.reask(dispatcher, tracker, domain, "hc_setuju", "utter_hc_jawab_setuju")
        return {"hc_setuju": True} if answer else self.stop("hc_setuju", False, "tanpa_persetujuan")

    async def validate_hc_nama(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value, tracker):
            return self.stop("hc_nama", None, "batal")
        name = " ".join(str(value or "").split())
        if not (2 <= len(name) <= 80) or not re.search(r"[A-Za-z]", name) or re.search(r"\d{3,}", name):
            return self.reask(dispatcher, tracker, domain, "hc_nama", "utter_hc_nama_tidak_valid")
        return {"hc_nama": name}

    async def validate_hc_umur(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value):
            return self.stop("hc_umur", None, "batal")
        age = value if isinstance(value, int) else parse_age(str(value or ""))
        if age is None:
            return self.reask(dispatcher, tracker, domain, "hc_umur", "utter_hc_umur_tidak_valid")
        return {"hc_umur": age}

    async def validate_hc_telepon(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value):
            return self.stop("hc_telepon", None, "batal")
        phone = parse_phone(str(value or ""))
        if phone is None:
            return self.reask(dispatcher, tracker, domain, "hc_telepon", "utter_hc_telepon_tidak_valid")
        return {"hc_telepon": phone}

    async def validate_hc_alamat(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value):
            return self.stop("hc_alamat", None, "batal")
        address = " ".join(str(value or "").split())
        if len(address) < 8 or len(address) > 300:
            return self.reask(dispatcher, tracker, domain, "hc_alamat", "utter_hc_alamat_tidak_valid")
        values: dict[str, Any] = {"hc_alamat": address}
        named = KELURAHAN_IN_ADDRESS.search(address)
        if named and not tracker.get_slot("hc_kelurahan"):
            # "..., Kel. Karuwisi, dekat masjid": the kelurahan is not asked again.
            try:
                async with city_client() as city:
                    found = await city.find_puskesmas(named.group(1).strip())
            except CityClientError:
                found = []
            if found:
                dispatcher.utter_message(
                    response="utter_hc_puskesmas_ditemukan", puskesmas=found[0].name, alamat=found[0].address
                )
                values.update(
                    {
                        "hc_kelurahan": named.group(1).strip().title(),
                        "hc_puskesmas_id": found[0].id,
                        "hc_puskesmas_nama": found[0].name,
                    }
                )
        return values

    async def validate_hc_kelurahan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value):
            return self.stop("hc_kelurahan", None, "batal")
        name = kelurahan_name(value)
        try:
            async with city_client() as city:
                found = await city.find_puskesmas(name) if name else []
        except CityClientError:
            log.warning("find_puskesmas failed", exc_info=True)
            return self.reask(dispatcher, tracker, domain, "hc_kelurahan", "utter_gangguan_sistem")
        if not found:
            misses = int(tracker.get_slot("hc_kelurahan_gagal") or 0) + 1
            if misses >= MAX_KELURAHAN_MISSES:
                # Asking a third time helps nobody: say where the service runs and what else there is.
                dispatcher.utter_message(response="utter_hc_di_luar_wilayah", kota=city_values().name)
                return {"hc_kelurahan": None, "hc_kelurahan_gagal": misses, STOP_SLOT: "di_luar_wilayah"}
            # A whole sentence ("ejaannya sudah benar, saya di Jakarta") is not echoed as a place name.
            shown = name if 0 < len(name.split()) <= 3 else "itu"
            dispatcher.utter_message(
                response="utter_hc_kelurahan_tidak_dilayani", kelurahan=shown, kota=city_values().name
            )
            return {"hc_kelurahan": None, "hc_kelurahan_gagal": misses}
        puskesmas = found[0]
        dispatcher.utter_message(
            response="utter_hc_puskesmas_ditemukan", puskesmas=puskesmas.name, alamat=puskesmas.address
        )
        return {
            "hc_kelurahan": name.title() if name.islower() else name,
            "hc_puskesmas_id": puskesmas.id,
            "hc_puskesmas_nama": puskesmas.name,
        }

    async def validate_hc_keluhan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value):
            return self.stop("hc_keluhan", None, "batal")
        complaint = " ".join(str(value or "").split())
        if len(complaint) < 3:
            return self.reask(dispatcher, tracker, domain, "hc_keluhan", "utter_hc_keluhan_tidak_valid")
        return {"hc_keluhan": complaint[:1000]}

    async def validate_hc_jadwal(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self.wants_out(value):
            return self.stop("hc_jadwal", None, "batal")
        chosen = match_option(value, tracker.get_slot("hc_jadwal_opsi") or [])
        if chosen is None:
            return self.reask(dispatcher, tracker, domain, "hc_jadwal", "utter_hc_jadwal_tidak_dikenali")
        return {"hc_jadwal": str(chosen["id"])}

    async def validate_hc_konfirmasi(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = yes_no(value, latest_intent(tracker))
        if answer is None:
            if self.wants_out(value):
                return {"hc_konfirmasi": False}
            return self.reask(dispatcher, tracker, domain, "hc_konfirmasi", "utter_hc_jawab_konfirmasi")
        return {"hc_konfirmasi": answer}


class ActionAskHcJadwal(Action):
    """Offers the serving puskesmas' free visit slots as buttons."""

    def name(self) -> str:
        return "action_ask_hc_jadwal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        puskesmas_id = tracker.get_slot("hc_puskesmas_id")
        try:
            async with city_client() as city:
                found = await city.find_puskesmas(tracker.get_slot("hc_kelurahan") or "")
                puskesmas = next((p for p in found if p.id == puskesmas_id), found[0] if found else None)
                slots = await city.free_slots(int(puskesmas_id)) if puskesmas_id is not None else []
        except CityClientError:
            log.warning("free_slots failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return [SlotSet(STOP_SLOT, "gangguan"), SlotSet("requested_slot", None), ActiveLoop(None)]
        tz_name = puskesmas.timezone if puskesmas else city_values().timezone
        name = puskesmas.name if puskesmas else (tracker.get_slot("hc_puskesmas_nama") or "puskesmas")
        if not slots:
            phone = puskesmas.phone if puskesmas else city_values().emergency_number
            dispatcher.utter_message(response="utter_hc_jadwal_kosong", puskesmas=name, telepon=phone)
            return [SlotSet(STOP_SLOT, "penuh"), SlotSet("requested_slot", None), ActiveLoop(None)]
        options = slot_options(slots, tz_name)
        dispatcher.utter_message(
            response="utter_ask_hc_jadwal", buttons=slot_buttons(options), puskesmas=name, zona=zone_label(tz_name)
        )
        return [SlotSet("hc_jadwal_opsi", options)]


class ActionAskHcKonfirmasi(Action):
    """Reads the whole booking back before anything is sent."""

    def name(self) -> str:
        return "action_ask_hc_konfirmasi"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        options = tracker.get_slot("hc_jadwal_opsi") or []
        chosen = next((o for o in options if str(o["id"]) == str(tracker.get_slot("hc_jadwal"))), None)
        dispatcher.utter_message(
            response="utter_hc_ringkasan",
            nama=tracker.get_slot("hc_nama"),
            umur=age_label(domain, tracker.get_slot("hc_umur")),
            telepon=tracker.get_slot("hc_telepon"),
            alamat=tracker.get_slot("hc_alamat"),
            kelurahan=tracker.get_slot("hc_kelurahan"),
            keluhan=tracker.get_slot("hc_keluhan"),
            puskesmas=tracker.get_slot("hc_puskesmas_nama"),
            jadwal=chosen["lengkap"] if chosen else tracker.get_slot("hc_jadwal"),
        )
        return []


class ActionSelesaiHomecare(Action):
    """Runs when the booking form ends: emergency, refusal, cancel, or the booking itself."""

    def name(self) -> str:
        return "action_selesai_homecare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reason = tracker.get_slot(STOP_SLOT)
        if reason == "darurat" or any(tracker.get_slot(slot) is True for slot in RED_FLAG_KEYS):
            dispatcher.utter_message(response="utter_darurat", **city_values().emergency_numbers)
            return reset_events(keep_code=True)
        if reason == "tanpa_persetujuan":
            dispatcher.utter_message(response="utter_hc_tanpa_persetujuan")
            return reset_events(keep_code=True)
        if reason in ("gangguan", "penuh", "di_luar_wilayah"):
            return reset_events(keep_code=True)  # the reason was already told
        if reason == "batal" or tracker.get_slot("hc_konfirmasi") is not True:
            dispatcher.utter_message(response="utter_hc_dibatalkan_warga")
            return reset_events(keep_code=True)
        return await self._book(dispatcher, tracker)

    async def _book(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        channel, address = contact(tracker)
        key = tracker.get_slot("homecare_kunci") or uuid.uuid4().hex
        try:
            async with city_client() as city:
                booking = await city.book(
                    slot_id=int(tracker.get_slot("hc_jadwal")),
                    patient_name=tracker.get_slot("hc_nama"),
                    patient_age=tracker.get_slot("hc_umur"),
                    phone=tracker.get_slot("hc_telepon"),
                    address=tracker.get_slot("hc_alamat"),
                    kelurahan=tracker.get_slot("hc_kelurahan"),
                    complaint=tracker.get_slot("hc_keluhan"),
                    red_flags={name: bool(tracker.get_slot(slot)) for slot, name in RED_FLAG_KEYS.items()},
                    channel=channel,
                    channel_address=address,
                    idempotency_key=key,
                )
        except Rejected as exc:
            if exc.code == "slot_full":
                # Someone took the last place meanwhile: ask for another slot, keep the rest.
                dispatcher.utter_message(response="utter_hc_jadwal_penuh")
                return [SlotSet("hc_jadwal", None), SlotSet("hc_konfirmasi", None), FollowupAction("homecare_form")]
            dispatcher.utter_message(response="utter_hc_gagal", alasan=exc.message)
            return reset_events(keep_code=True)
        except CityClientError:
            log.warning("booking failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            # The key is kept, so trying again cannot book twice.
            return [SlotSet("hc_konfirmasi", None)]
        info = booking_info(booking)
        dispatcher.utter_message(
            response="utter_hc_berhasil", kode=booking.code, puskesmas=info["puskesmas"], jadwal=info["jadwal"]
        )
        return [*reset_events(keep_code=True), SlotSet("kode_booking", booking.code), SlotSet("homecare_kunci", None)]
