"""The HomeCare booking form, event by event.

Each test builds the tracker Rasa would send (the answer as the latest message and as the
trailing slot event), runs the real validation action or action against a real backend on a
local port, and checks the exact events returned and the exact responses sent, in order.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.dates import zone_label
from actions.homecare.booking import ActionAskHcJadwal, ActionSelesaiHomecare, ValidateHomecareForm
from actions.homecare.parsing import slot_options
from actions.homecare.state import reset_events
from citybot.backend.db import Database
from citybot.client import CityClient
from tests.action_backend import backend_for_actions  # noqa: F401
from tests.backend.helpers import add_slot
from tests.unit.homecare_forms_support import (  # noqa: F401  (makassar: an autouse fixture)
    DOMAIN,
    SENDER,
    answer,
    backend_booking,
    booked_codes,
    kassi_kassi,
    makassar,
    run,
    state,
    validate,
)

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
