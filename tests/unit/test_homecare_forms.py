"""The HomeCare booking, cancel and reschedule forms, event by event.

Each test builds the tracker Rasa would send (the answer as the latest message and as the
trailing slot event), runs the real validation action or action against a real backend on a
local port, and checks the exact events returned and the exact responses sent, in order.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.common.dates import waktu_lengkap, zone_label
from actions.homecare.booking import ActionAskHcJadwal, ActionSelesaiHomecare, ValidateHomecareForm
from actions.homecare.manage import (
    ActionBatalHomecare,
    ActionMulaiBatalHomecare,
    ActionUbahJadwalHomecare,
    ValidateBatalHomecareForm,
    ValidateUbahJadwalForm,
)
from actions.homecare.parsing import slot_options
from actions.homecare.state import reset_events
from citybot.backend.db import Database
from citybot.backend.models import Booking, Puskesmas
from citybot.backend.services import homecare
from citybot.client import CityClient
from citybot.settings import get_settings
from tests.action_backend import backend_for_actions  # noqa: F401
from tests.backend.helpers import add_slot

ROOT = Path(__file__).resolve().parents[2]
SENDER = "web-warga-hc-1"


def _domain() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


DOMAIN = _domain()


@pytest.fixture(autouse=True)
def makassar(monkeypatch: pytest.MonkeyPatch) -> None:
    """HomeCare runs in Makassar; elsewhere the forms never start (tests/unit/test_city_services.py)."""
    monkeypatch.setenv("CITY_PROFILE", "makassar")
    get_settings.cache_clear()


def answer(
    slot: str,
    value: Any,
    *,
    intent: str = "nlu_fallback",
    slots: dict[str, Any] | None = None,
    loop: str = "homecare_form",
    sender: str = SENDER,
) -> Tracker:
    """The tracker after the citizen answered `slot` with `value` inside `loop`."""
    latest = {
        "intent": {"name": intent, "confidence": 0.95},
        "entities": [],
        "text": str(value),
        "metadata": {"channel": "web"},
    }
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": str(value), "parse_data": latest, "metadata": {"channel": "web"}},
        {"event": "slot", "name": slot, "value": value},
    ]
    current = {**(slots or {}), slot: value, "requested_slot": slot}
    return Tracker(sender, current, latest, events, False, None, {"name": loop}, "action_listen")


def state(slots: dict[str, Any], sender: str = SENDER, text: str = "/ya") -> Tracker:
    """The tracker an action after the form sees."""
    latest = {"intent": {"name": "ya", "confidence": 1.0}, "entities": [], "text": text, "metadata": {"channel": "web"}}
    return Tracker(sender, slots, latest, [], False, None, {}, "action_listen")


def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[str]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, [m["response"] for m in dispatcher.messages]


def validate(form: Any, slot: str, tracker: Tracker) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    value = tracker.get_slot(slot)
    result = asyncio.run(getattr(form, f"validate_{slot}")(value, dispatcher, tracker, DOMAIN))
    return result, [m["response"] for m in dispatcher.messages]


def kassi_kassi(db: Database) -> Puskesmas:
    with db.read() as session:
        found = session.scalar(select(Puskesmas).where(Puskesmas.code == "MKS-KSK"))
        assert found is not None
        session.expunge(found)
        return found


def booked_codes(db: Database, sender: str) -> list[str]:
    with db.read() as session:
        rows = session.scalars(select(Booking).where(Booking.channel_address == sender))
        return sorted(b.code for b in rows)


async def backend_booking(code: str) -> Any:
    async with CityClient(attempts=1) as city:
        return await city.get_booking(code)


# --- the booking form: red flags, consent, answers ----------------------------------------------


def test_a_red_flag_ends_the_form_without_any_question_more() -> None:
    events, said = run(ValidateHomecareForm(), answer("hc_tb_kritis", "iya, sesak sekali", intent="nlu_fallback"))
    assert events == [SlotSet("hc_tb_kritis", True), SlotSet("hc_berhenti", "darurat"), SlotSet("requested_slot", None)]
    assert said == []


def test_an_unclear_red_flag_answer_is_asked_again_with_the_yes_no_hint() -> None:
    events, said = run(ValidateHomecareForm(), answer("hc_tb_lain", "mungkin"))
    assert events == [SlotSet("hc_tb_lain", None)]
    assert said == ["utter_hc_jawab_ya_tidak"]


def test_no_red_flag_goes_on_to_the_next_question() -> None:
    events, said = run(ValidateHomecareForm(), answer("hc_tb_lain", "tidak ada", slots={"hc_tb_kritis": False}))
    assert events == [SlotSet("hc_tb_lain", False)]
    assert said == []


def test_refusing_consent_stops_for_that_reason() -> None:
    events, said = run(ValidateHomecareForm(), answer("hc_setuju", "tidak", intent="tidak"))
    assert events == [
        SlotSet("hc_setuju", False),
        SlotSet("hc_berhenti", "tanpa_persetujuan"),
        SlotSet("requested_slot", None),
    ]
    assert said == []


@pytest.mark.parametrize(
    ("slot", "text"), [("hc_umur", "gak jadi deh"), ("hc_alamat", "batal"), ("hc_keluhan", "batalkan pesanan")]
)
def test_batal_typed_as_an_answer_leaves_the_form(slot: str, text: str) -> None:
    events, said = run(ValidateHomecareForm(), answer(slot, text))
    assert events == [SlotSet(slot, None), SlotSet("hc_berhenti", "batal"), SlotSet("requested_slot", None)]
    assert said == []


def test_the_batal_intent_leaves_the_form_at_the_name_question() -> None:
    events, said = run(ValidateHomecareForm(), answer("hc_nama", "saya mau batalin aja", intent="batal"))
    assert events == [SlotSet("hc_nama", None), SlotSet("hc_berhenti", "batal"), SlotSet("requested_slot", None)]
    assert said == []


def test_a_complaint_that_only_mentions_ga_jadi_stays_a_complaint() -> None:
    events, said = run(ValidateHomecareForm(), answer("hc_keluhan", "batuk, ga jadi sembuh", intent="batal"))
    assert events == [SlotSet("hc_keluhan", "batuk, ga jadi sembuh")]
    assert said == []


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("0812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
    ],
)
def test_phone_numbers_are_stored_as_e164(text: str, stored: str) -> None:
    assert run(ValidateHomecareForm(), answer("hc_telepon", text)) == ([SlotSet("hc_telepon", stored)], [])


def test_a_foreign_or_broken_phone_number_is_asked_again() -> None:
    for text in ("+1 650 253 0000", "12345"):
        assert run(ValidateHomecareForm(), answer("hc_telepon", text)) == (
            [SlotSet("hc_telepon", None)],
            ["utter_hc_telepon_tidak_valid"],
        )


def test_a_served_kelurahan_finds_its_puskesmas(backend_for_actions: Database) -> None:  # noqa: F811
    puskesmas = kassi_kassi(backend_for_actions)
    events, said = run(ValidateHomecareForm(), answer("hc_kelurahan", "kel. kassi-kassi ji"))
    assert events == [
        SlotSet("hc_kelurahan", "Kassi-Kassi"),
        SlotSet("hc_puskesmas_id", puskesmas.id),
        SlotSet("hc_puskesmas_nama", puskesmas.name),
    ]
    assert said == ["utter_hc_puskesmas_ditemukan"]


def test_an_address_naming_the_kelurahan_fills_it_too(backend_for_actions: Database) -> None:  # noqa: F811
    puskesmas = kassi_kassi(backend_for_actions)
    address = "Jl. Tamalate I No. 10, Kel. Kassi-Kassi, dekat masjid"
    events, said = run(ValidateHomecareForm(), answer("hc_alamat", address))
    assert events == [
        SlotSet("hc_alamat", address),
        SlotSet("hc_kelurahan", "Kassi-Kassi"),
        SlotSet("hc_puskesmas_id", puskesmas.id),
        SlotSet("hc_puskesmas_nama", puskesmas.name),
    ]
    assert said == ["utter_hc_puskesmas_ditemukan"]


def test_an_unserved_kelurahan_twice_ends_with_where_the_service_runs(
    backend_for_actions: Database,  # noqa: F811
) -> None:
    form = ValidateHomecareForm()
    first = run(form, answer("hc_kelurahan", "Menteng"))
    assert first == (
        [SlotSet("hc_kelurahan", None), SlotSet("hc_kelurahan_gagal", 1)],
        ["utter_hc_kelurahan_tidak_dilayani"],
    )
    second = run(form, answer("hc_kelurahan", "Gambir", slots={"hc_kelurahan_gagal": 1}))
    assert second == (
        [
            SlotSet("hc_kelurahan", None),
            SlotSet("hc_kelurahan_gagal", 2),
            SlotSet("hc_berhenti", "di_luar_wilayah"),
            SlotSet("requested_slot", None),
        ],
        ["utter_hc_di_luar_wilayah"],
    )


def test_a_kelurahan_while_the_backend_is_down_is_a_polite_retry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from citybot.settings import get_settings
    from tests.stack import free_port

    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("HTTP_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    try:
        assert run(ValidateHomecareForm(), answer("hc_kelurahan", "Kassi-Kassi")) == (
            [SlotSet("hc_kelurahan", None)],
            ["utter_gangguan_sistem"],
        )
    finally:
        get_settings.cache_clear()


# --- offering slots and booking ----------------------------------------------------------------


def test_free_slots_are_offered_as_buttons(backend_for_actions: Database) -> None:  # noqa: F811
    puskesmas = kassi_kassi(backend_for_actions)
    add_slot(backend_for_actions, days_ahead=2)

    async def free() -> list[Any]:
        async with CityClient(attempts=1) as city:
            return await city.free_slots(puskesmas.id)

    offered = slot_options(asyncio.run(free()), puskesmas.timezone)
    assert offered, "the seeded puskesmas has free slots"
    tracker = state(
        {"hc_kelurahan": "Kassi-Kassi", "hc_puskesmas_id": puskesmas.id, "hc_puskesmas_nama": puskesmas.name}
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAskHcJadwal().run(dispatcher, tracker, DOMAIN))
    assert events == [SlotSet("hc_jadwal_opsi", offered)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_hc_jadwal"]
    message = dispatcher.messages[0]
    assert message["puskesmas"] == puskesmas.name and message["zona"] == zone_label(puskesmas.timezone)
    assert [b["payload"] for b in message["buttons"]] == [f'/pilih_jadwal{{"jadwal": "{o["id"]}"}}' for o in offered]


def _confirmed(slot_id: int, key: str) -> dict[str, Any]:
    return {
        "hc_tb_kritis": False,
        "hc_tb_lain": False,
        "hc_setuju": True,
        "hc_nama": "Daeng Sompa",
        "hc_umur": 72,
        "hc_telepon": "+6281299990001",
        "hc_alamat": "Jl. Tamalate I No. 10",
        "hc_kelurahan": "Kassi-Kassi",
        "hc_keluhan": "Lemas dan sulit berjalan",
        "hc_jadwal": str(slot_id),
        "hc_konfirmasi": True,
        "homecare_kunci": key,
    }


def test_a_confirmed_booking_is_booked_once_even_when_sent_twice(backend_for_actions: Database) -> None:  # noqa: F811
    slot_id = add_slot(backend_for_actions, capacity=2)
    tracker = state(_confirmed(slot_id, "kunci-uji-1"))
    events, said = run(ActionSelesaiHomecare(), tracker)
    codes = booked_codes(backend_for_actions, SENDER)
    assert len(codes) == 1
    assert events == [*reset_events(keep_code=True), SlotSet("kode_booking", codes[0]), SlotSet("homecare_kunci", None)]
    assert said == ["utter_hc_berhasil"]
    # Rasa retried the action (same idempotency key): same code, no second booking.
    assert run(ActionSelesaiHomecare(), tracker) == (events, said)
    assert booked_codes(backend_for_actions, SENDER) == codes


def test_a_red_flag_answer_after_the_form_tells_the_emergency_numbers() -> None:
    events, said = run(ActionSelesaiHomecare(), state({"hc_tb_kritis": True, "hc_berhenti": "darurat"}))
    assert events == reset_events(keep_code=True)
    assert said == ["utter_darurat"]


# --- cancel and reschedule by code ---------------------------------------------------------------


def _book(db: Database, sender: str | None) -> str:
    slot_id = add_slot(db)
    with db.writing() as session:
        booking = homecare.book(
            session,
            homecare.NewBooking(
                slot_id=slot_id,
                patient_name="Daeng Rahmawati",
                patient_age=80,
                nik=None,
                phone="+6281299990002",
                address="Jl. Tamalate I No. 10",
                kelurahan="Kassi-Kassi",
                complaint="Sesak dan lemas",
                red_flags={},
                channel="web" if sender else None,
                channel_address=sender,
            ),
        )
        return str(booking.code)


def test_starting_a_cancel_takes_the_code_from_the_message() -> None:
    events, said = run(ActionMulaiBatalHomecare(), state({}, text="batal HC-ab23cd"))
    assert events[:-1] == [*reset_events(), SlotSet("kode_booking", "HC-AB23CD")]
    assert events[-1]["name"] == "homecare_kunci" and len(events[-1]["value"]) == 32
    assert said == []


def test_the_own_code_is_accepted_with_the_booking_read_back(backend_for_actions: Database) -> None:  # noqa: F811
    from actions.homecare.state import booking_info

    code = _book(backend_for_actions, SENDER)
    booking = asyncio.run(backend_booking(code))
    info = booking_info(booking)
    assert info["jadwal"] == waktu_lengkap(booking.slot.start, booking.puskesmas.timezone)
    events, said = run(ValidateBatalHomecareForm(), answer("kode_booking", code.lower(), loop="batal_homecare_form"))
    assert events == [SlotSet("kode_booking", code), SlotSet("hc_booking_info", info)]
    assert said == []


def test_someone_elses_code_is_answered_like_an_unknown_one(backend_for_actions: Database) -> None:  # noqa: F811
    code = _book(backend_for_actions, "web-someone-else")
    form = ValidateBatalHomecareForm()
    tracker = answer("kode_booking", code, loop="batal_homecare_form")
    assert validate(form, "kode_booking", tracker) == ({"kode_booking": None}, ["utter_hc_kode_tidak_ditemukan"])
    unknown = answer("kode_booking", "HC-ZZZZ22", loop="batal_homecare_form")
    assert validate(form, "kode_booking", unknown) == ({"kode_booking": None}, ["utter_hc_kode_tidak_ditemukan"])


def test_an_agreed_cancel_cancels_the_booking(backend_for_actions: Database) -> None:  # noqa: F811
    code = _book(backend_for_actions, SENDER)
    events, said = run(ActionBatalHomecare(), state({"kode_booking": code, "hc_batal_setuju": True}))
    assert events == reset_events(keep_code=True)
    assert said == ["utter_hc_batal_berhasil"]
    assert asyncio.run(backend_booking(code)).status == "cancelled"


def test_a_cancel_code_form_left_with_batal_keeps_the_booking(backend_for_actions: Database) -> None:  # noqa: F811
    code = _book(backend_for_actions, SENDER)
    events, said = run(ValidateBatalHomecareForm(), answer("kode_booking", "gak jadi", loop="batal_homecare_form"))
    assert events == [SlotSet("kode_booking", None), SlotSet("hc_berhenti", "batal"), SlotSet("requested_slot", None)]
    assert said == []
    events, said = run(ActionBatalHomecare(), state({"kode_booking": code, "hc_berhenti": "batal"}))
    assert events == reset_events(keep_code=True)
    assert said == ["utter_hc_batal_diurungkan"]
    assert asyncio.run(backend_booking(code)).status == "booked"


def test_reschedule_left_with_batal_changes_nothing(backend_for_actions: Database) -> None:  # noqa: F811
    code = _book(backend_for_actions, SENDER)
    before = asyncio.run(backend_booking(code)).slot.id
    options = [{"id": 901, "label": "Sen 30 Nov 08.00–09.30", "lengkap": "-", "hari": 0, "jam": 8, "tanggal": 30}]
    tracker = answer(
        "hc_jadwal_baru", "batal", slots={"kode_booking": code, "hc_jadwal_opsi": options}, loop="ubah_jadwal_form"
    )
    events, said = run(ValidateUbahJadwalForm(), tracker)
    assert events == [SlotSet("hc_jadwal_baru", None), SlotSet("hc_berhenti", "batal"), SlotSet("requested_slot", None)]
    assert said == []
    events, said = run(ActionUbahJadwalHomecare(), state({"kode_booking": code, "hc_berhenti": "batal"}))
    assert events == reset_events(keep_code=True)
    assert said == ["utter_hc_batal_diurungkan"]
    assert asyncio.run(backend_booking(code)).slot.id == before


def test_an_unrecognised_new_slot_is_asked_again() -> None:
    options = [{"id": 901, "label": "Sen 30 Nov 08.00–09.30", "lengkap": "-", "hari": 0, "jam": 8, "tanggal": 30}]
    tracker = answer(
        "hc_jadwal_baru",
        "terserah",
        slots={"kode_booking": "HC-AB23CD", "hc_jadwal_opsi": options},
        loop="ubah_jadwal_form",
    )
    assert run(ValidateUbahJadwalForm(), tracker) == (
        [SlotSet("hc_jadwal_baru", None)],
        ["utter_hc_jadwal_tidak_dikenali"],
    )
    chosen = answer(
        "hc_jadwal_baru",
        "yang pertama",
        slots={"kode_booking": "HC-AB23CD", "hc_jadwal_opsi": options},
        loop="ubah_jadwal_form",
    )
    assert run(ValidateUbahJadwalForm(), chosen) == ([SlotSet("hc_jadwal_baru", "901")], [])
