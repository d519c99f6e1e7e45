"""HomeCare "Dottoro'ta" (Makassar): red-flag gate, consent, booking, cancel and reschedule.

The form asks the red-flag questions before anything else; a "yes" (or an emergency message)
ends it without a booking. Every form run carries its own idempotency key, so a retried
booking call never books twice.
"""

from __future__ import annotations

import logging
import re
import uuid
from abc import ABC, abstractmethod
from typing import Any

import phonenumbers
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_base import CitizenFormValidation
from actions.waktu import HARI, local, waktu_lengkap, waktu_singkat, zone_label
from actions.warga import city_client, emergency_numbers, latest_intent, latest_text, subject_of, wants_to_cancel
from citybot.client import Booking, CityClientError, NotFound, Rejected, Slot

log = logging.getLogger(__name__)

FORM_SLOTS = (
    "hc_tb_kritis", "hc_tb_lain", "hc_setuju", "hc_nama", "hc_umur", "hc_telepon", "hc_alamat",
    "hc_kelurahan", "hc_keluhan", "hc_jadwal", "hc_konfirmasi",
)
# Everything a booking conversation may have collected; cleared when it ends either way.
ALL_SLOTS = (*FORM_SLOTS, "hc_berhenti", "hc_kelurahan_gagal", "hc_puskesmas_id", "hc_puskesmas_nama", "hc_jadwal_opsi",
             "hc_booking_info", "hc_batal_setuju", "hc_jadwal_baru")
RED_FLAG_KEYS = {
    "hc_tb_kritis": "tidak_sadar_sesak_berat_nyeri_dada",
    "hc_tb_lain": "perdarahan_kejang_stroke_kecelakaan",
}
MAX_BUTTONS = 8
MAX_KELURAHAN_MISSES = 2
_KELURAHAN_IN_ADDRESS = re.compile(
    r"\bkel(?:urahan)?\.?\s+([A-Za-z][A-Za-z' -]{2,30}?)\s*(?=[,.;]|$|\b(?:kec|kecamatan|rt|rw|dekat|samping|no)\b)",
    re.IGNORECASE,
)
ACTIVE_STATUSES = ("booked", "proposed")

_YES = re.compile(r"^(ya+|iya+|y|ada|betul|benar|bener|iye|iyo|ho oh|yes)\b", re.IGNORECASE)
_NO = re.compile(r"^(tidak|tdk|gak|ga|nggak|ngga|enggak|engga|ndak|nda|no|bukan|belum|ndak ada|tidak ada)\b",
                 re.IGNORECASE)
_CODE = re.compile(r"\bHC[\s-]?([A-Z2-9]{6})\b", re.IGNORECASE)
_ORDINALS = {"pertama": 1, "satu": 1, "kedua": 2, "dua": 2, "ketiga": 3, "tiga": 3, "keempat": 4, "empat": 4,
             "kelima": 5, "lima": 5, "keenam": 6, "enam": 6, "ketujuh": 7, "tujuh": 7, "kedelapan": 8}


def yes_no(value: Any, intent: str) -> bool | None:
    """True/False for a yes-no answer typed or clicked; None when it is neither."""
    if isinstance(value, bool):
        return value
    if intent == "ya":
        return True
    if intent == "tidak":
        return False
    text = str(value or "").strip()
    if _NO.match(text):
        return False
    if _YES.match(text):
        return True
    return None


def parse_age(text: str) -> int | None:
    match = re.search(r"(\d{1,3})\s*(bulan|bln|bl|minggu|hari)?", text.lower())
    if not match:
        return None
    value = int(match.group(1))
    if match.group(2):
        return 0  # infants: the backend stores whole years
    return value if 0 <= value <= 120 else None


def normalise_phone(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_code(text: Any) -> str | None:
    # Entities from button payloads can be forged with any JSON type (true, 42, {...}).
    match = _CODE.search(text if isinstance(text, str) else "")
    return f"HC-{match.group(1).upper()}" if match else None


def slot_options(slots: list[Slot], tz_name: str) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "label": waktu_singkat(s.start, s.end, tz_name), "lengkap": waktu_lengkap(s.start, tz_name),
         "hari": local(s.start, tz_name).weekday(), "jam": local(s.start, tz_name).hour,
         "tanggal": local(s.start, tz_name).day}
        for s in slots[:MAX_BUTTONS]
    ]


def match_option(value: Any, options: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The offered slot the citizen meant: a button's id, "yang kedua", or "senin jam 10"."""
    text = str(value or "").strip().lower()
    by_id = {str(o["id"]): o for o in options}
    if text in by_id:
        return by_id[text]
    for word, index in _ORDINALS.items():
        if re.search(rf"\b{word}\b", text) and index <= len(options):
            return options[index - 1]
    candidates = list(options)
    days = [i for i, name in enumerate(HARI) if name.lower() in text or name.lower()[:3] + " " in text + " "]
    if days:
        candidates = [o for o in candidates if o["hari"] in days]
    hour = re.search(r"(?:jam|pukul|pkl)?\s*(\d{1,2})(?:[.:]\d{2})?\s*(?:wita|wib|pagi|siang|sore)?\b", text)
    if hour and re.search(r"jam|pukul|pkl|[.:]\d{2}|pagi|siang|sore", text):
        h = int(hour.group(1))
        if "sore" in text and h < 12:
            h += 12
        if "siang" in text and h < 6:
            h += 12
        candidates = [o for o in candidates if o["jam"] == h]
    elif not days:
        number = re.fullmatch(r"(\d)", text)
        if number and 1 <= int(number.group(1)) <= len(options):
            return options[int(number.group(1)) - 1]
        return None
    return candidates[0] if len(candidates) >= 1 and (days or hour) else None


def slot_buttons(options: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"title": o["label"], "payload": f'/pilih_jadwal{{"jadwal": "{o["id"]}"}}'} for o in options]


def age_label(domain: DomainDict, age: Any) -> str:
    from actions.warga import response_text

    if isinstance(age, int) and age < 1:
        return response_text(domain, "utter_hc_umur_bayi")
    return response_text(domain, "utter_hc_umur_label", umur=age)


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


class ActionMulaiHomecare(Action):
    """Starts a booking conversation: fresh slots and a fresh idempotency key."""

    def name(self) -> str:
        return "action_mulai_homecare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_homecare_segera")
        return [*reset_events(keep_code=True), SlotSet("homecare_kunci", uuid.uuid4().hex)]


class ValidateHomecareForm(CitizenFormValidation):
    def name(self) -> str:
        return "validate_homecare_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # A red flag, a refusal or "batal" ends the form: the closing action explains why.
        if tracker.get_slot("hc_berhenti"):
            return []
        return domain_slots

    def _stop(self, slot: str, value: Any, reason: str) -> dict[str, Any]:
        return {slot: value, "hc_berhenti": reason}

    def _red_flag(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        answer = yes_no(value, latest_intent(tracker))
        if answer is None and (latest_intent(tracker) == "batal" or wants_to_cancel(str(value or ""))):
            return self._stop(slot, None, "batal")
        if answer is None:
            dispatcher.utter_message(response="utter_hc_jawab_ya_tidak")
            return {slot: None}
        if answer:
            return self._stop(slot, True, "darurat")
        return {slot: False}

    async def validate_hc_tb_kritis(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._red_flag("hc_tb_kritis", value, dispatcher, tracker)

    async def validate_hc_tb_lain(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._red_flag("hc_tb_lain", value, dispatcher, tracker)

    async def validate_hc_setuju(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = yes_no(value, latest_intent(tracker))
        if answer is None and (latest_intent(tracker) == "batal" or wants_to_cancel(str(value or ""))):
            return self._stop("hc_setuju", None, "batal")
        if answer is None:
            dispatcher.utter_message(response="utter_hc_jawab_setuju")
            return {"hc_setuju": None}
        return {"hc_setuju": True} if answer else self._stop("hc_setuju", False, "tanpa_persetujuan")

    def _cancelled(self, slot: str, value: Any, intent: str = "") -> dict[str, Any] | None:
        if intent == "batal" or wants_to_cancel(str(value or "")):
            return self._stop(slot, None, "batal")
        return None

    async def validate_hc_nama(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if stop := self._cancelled("hc_nama", value, latest_intent(tracker)):
            return stop
        name = " ".join(str(value or "").split())
        if not (2 <= len(name) <= 80) or not re.search(r"[A-Za-z]", name) or re.search(r"\d{3,}", name):
            dispatcher.utter_message(response="utter_hc_nama_tidak_valid")
            return {"hc_nama": None}
        return {"hc_nama": name}

    async def validate_hc_umur(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if stop := self._cancelled("hc_umur", value):
            return stop
        age = value if isinstance(value, int) else parse_age(str(value or ""))
        if age is None:
            dispatcher.utter_message(response="utter_hc_umur_tidak_valid")
            return {"hc_umur": None}
        return {"hc_umur": age}

    async def validate_hc_telepon(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if stop := self._cancelled("hc_telepon", value):
            return stop
        phone = normalise_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_hc_telepon_tidak_valid")
            return {"hc_telepon": None}
        return {"hc_telepon": phone}

    async def validate_hc_alamat(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if stop := self._cancelled("hc_alamat", value):
            return stop
        address = " ".join(str(value or "").split())
        if len(address) < 8 or len(address) > 300:
            dispatcher.utter_message(response="utter_hc_alamat_tidak_valid")
            return {"hc_alamat": None}
        values: dict[str, Any] = {"hc_alamat": address}
        named = _KELURAHAN_IN_ADDRESS.search(address)
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
                values.update({"hc_kelurahan": named.group(1).strip().title(), "hc_puskesmas_id": found[0].id,
                               "hc_puskesmas_nama": found[0].name})
        return values

    async def validate_hc_kelurahan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if stop := self._cancelled("hc_kelurahan", value):
            return stop
        name = re.sub(r"^(kelurahan|kel\.?|kec\.?|kecamatan|di)\s+", "", " ".join(str(value or "").split()),
                      flags=re.IGNORECASE).strip(" .")
        # Makassar particles and polite tails: "Karuwisi ji", "kassi kassi mi", "Tamalanrea ki'".
        name = re.sub(r"(\s+(ji|mi|di'?|ki'?|ka|ko|ya|kak|pak|bu|dek|nah))+$", "", name,
                      flags=re.IGNORECASE).strip(" .")
        try:
            async with city_client() as city:
                found = await city.find_puskesmas(name) if name else []
        except CityClientError:
            log.warning("find_puskesmas failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return {"hc_kelurahan": None}
        if not found:
            misses = int(tracker.get_slot("hc_kelurahan_gagal") or 0) + 1
            if misses >= MAX_KELURAHAN_MISSES:
                # Asking a third time helps nobody: say where the service runs and what else there is.
                dispatcher.utter_message(response="utter_hc_di_luar_wilayah")
                return {"hc_kelurahan": None, "hc_kelurahan_gagal": misses, "hc_berhenti": "di_luar_wilayah"}
            # A whole sentence ("ejaannya sudah benar, saya di Jakarta") is not echoed as a place name.
            shown = name if 0 < len(name.split()) <= 3 else "itu"
            dispatcher.utter_message(response="utter_hc_kelurahan_tidak_dilayani", kelurahan=shown)
            return {"hc_kelurahan": None, "hc_kelurahan_gagal": misses}
        puskesmas = found[0]
        dispatcher.utter_message(
            response="utter_hc_puskesmas_ditemukan", puskesmas=puskesmas.name, alamat=puskesmas.address
        )
        return {"hc_kelurahan": name.title() if name.islower() else name,
                "hc_puskesmas_id": puskesmas.id, "hc_puskesmas_nama": puskesmas.name}

    async def validate_hc_keluhan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if stop := self._cancelled("hc_keluhan", value):
            return stop
        complaint = " ".join(str(value or "").split())
        if len(complaint) < 3:
            dispatcher.utter_message(response="utter_hc_keluhan_tidak_valid")
            return {"hc_keluhan": None}
        return {"hc_keluhan": complaint[:1000]}

    async def validate_hc_jadwal(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if stop := self._cancelled("hc_jadwal", value):
            return stop
        chosen = match_option(value, tracker.get_slot("hc_jadwal_opsi") or [])
        if chosen is None:
            dispatcher.utter_message(response="utter_hc_jadwal_tidak_dikenali")
            return {"hc_jadwal": None}
        return {"hc_jadwal": str(chosen["id"])}

    async def validate_hc_konfirmasi(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = yes_no(value, latest_intent(tracker))
        if answer is None:
            if wants_to_cancel(str(value or "")):
                return {"hc_konfirmasi": False}
            dispatcher.utter_message(response="utter_hc_jawab_konfirmasi")
            return {"hc_konfirmasi": None}
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
            return [SlotSet("hc_berhenti", "gangguan"), SlotSet("requested_slot", None), ActiveLoop(None)]
        tz_name = puskesmas.timezone if puskesmas else "Asia/Makassar"
        name = puskesmas.name if puskesmas else (tracker.get_slot("hc_puskesmas_nama") or "puskesmas")
        if not slots:
            dispatcher.utter_message(
                response="utter_hc_jadwal_kosong", puskesmas=name, telepon=puskesmas.phone if puskesmas else "112"
            )
            return [SlotSet("hc_berhenti", "penuh"), SlotSet("requested_slot", None), ActiveLoop(None)]
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
        reason = tracker.get_slot("hc_berhenti")
        if reason == "darurat" or any(tracker.get_slot(slot) is True for slot in RED_FLAG_KEYS):
            dispatcher.utter_message(response="utter_darurat", **emergency_numbers())
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
        channel, address = subject_of(tracker)
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


# --- cancel and reschedule by code -----------------------------------------------------------


class _MulaiDenganKode(Action, ABC):
    """Starts cancel/reschedule with the code in this message, else the one booked in this chat.

    Abstract (rasa-sdk skips abstract classes), so the base is never registered as an action.
    """

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # A code issued in this conversation is the citizen's own: don't ask for it again.
        code = (normalise_code(latest_text(tracker)) or next(tracker.get_latest_entity_values("kode_booking"), None)
                or tracker.get_slot("kode_booking"))
        events = reset_events()
        events += [SlotSet("kode_booking", normalise_code(code) if code else None),
                   SlotSet("homecare_kunci", uuid.uuid4().hex)]
        return events


class ActionMulaiBatalHomecare(_MulaiDenganKode):
    def name(self) -> str:
        return "action_mulai_batal_homecare"


class ActionMulaiUbahJadwal(_MulaiDenganKode):
    def name(self) -> str:
        return "action_mulai_ubah_jadwal"


class _ValidateKode(CitizenFormValidation):
    """Shared by the cancel and reschedule forms; abstract (no name), so never registered itself."""

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if tracker.get_slot("hc_berhenti") else domain_slots

    async def validate_kode_booking(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if wants_to_cancel(str(value or "")):
            return {"kode_booking": None, "hc_berhenti": "batal"}
        code = normalise_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(response="utter_hc_kode_tidak_ditemukan", kode=str(value or "").strip()[:20])
            return {"kode_booking": None}
        try:
            async with city_client() as city:
                booking = await city.get_booking(code)
        except NotFound:
            dispatcher.utter_message(response="utter_hc_kode_tidak_ditemukan", kode=code)
            return {"kode_booking": None}
        except CityClientError:
            log.warning("get_booking failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return {"kode_booking": None, "hc_berhenti": "gangguan"}
        if booking.channel_address != tracker.sender_id:
            # Booked from another conversation, or with no channel at all (the call centre): a code
            # typed or forged in a button payload proves nothing, so it must not reveal the patient
            # or let anyone cancel; answer exactly as for an unknown code.
            dispatcher.utter_message(response="utter_hc_kode_tidak_ditemukan", kode=code)
            return {"kode_booking": None}
        if booking.status not in ACTIVE_STATUSES:
            dispatcher.utter_message(response="utter_hc_booking_tidak_aktif", kode=code, status=booking.status)
            return {"kode_booking": code, "hc_berhenti": "tidak_aktif"}
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
        if wants_to_cancel(str(value or "")):
            return {"hc_jadwal_baru": None, "hc_berhenti": "batal"}
        chosen = match_option(value, tracker.get_slot("hc_jadwal_opsi") or [])
        if chosen is None:
            dispatcher.utter_message(response="utter_hc_jadwal_tidak_dikenali")
            return {"hc_jadwal_baru": None}
        return {"hc_jadwal_baru": str(chosen["id"])}


class ActionAskHcBatalSetuju(Action):
    def name(self) -> str:
        return "action_ask_hc_batal_setuju"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        info = tracker.get_slot("hc_booking_info") or {}
        dispatcher.utter_message(
            response="utter_ask_hc_batal_setuju", kode=info.get("kode"), nama=info.get("nama"),
            jadwal=info.get("jadwal"), puskesmas=info.get("puskesmas"),
        )
        return []


class ActionBatalHomecare(Action):
    def name(self) -> str:
        return "action_batal_homecare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code = tracker.get_slot("kode_booking")
        if tracker.get_slot("hc_berhenti") or not code:
            if tracker.get_slot("hc_berhenti") == "batal":
                dispatcher.utter_message(response="utter_hc_batal_diurungkan", kode=code or "Anda")
            return reset_events(keep_code=True)
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
            return [SlotSet("hc_berhenti", "gangguan"), SlotSet("requested_slot", None), ActiveLoop(None)]
        slots = [s for s in slots if s.id != info.get("slot_id")]
        tz_name = info.get("tz") or "Asia/Makassar"
        if not slots:
            dispatcher.utter_message(response="utter_hc_jadwal_kosong", puskesmas=info.get("puskesmas"), telepon="112")
            return [SlotSet("hc_berhenti", "penuh"), SlotSet("requested_slot", None), ActiveLoop(None)]
        options = slot_options(slots, tz_name)
        dispatcher.utter_message(
            response="utter_ask_hc_jadwal_baru", buttons=slot_buttons(options), kode=info.get("kode"),
            jadwal=info.get("jadwal"), zona=zone_label(tz_name),
        )
        return [SlotSet("hc_jadwal_opsi", options)]


class ActionUbahJadwalHomecare(Action):
    def name(self) -> str:
        return "action_ubah_jadwal_homecare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code = tracker.get_slot("kode_booking")
        new_slot = tracker.get_slot("hc_jadwal_baru")
        if tracker.get_slot("hc_berhenti") or not code or not new_slot:
            if tracker.get_slot("hc_berhenti") == "batal":
                dispatcher.utter_message(response="utter_hc_batal_diurungkan", kode=code or "Anda")
            return reset_events(keep_code=True)
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
