"""The HomeCare cancel and reschedule forms (by booking code), event by event, against a real
backend on a local port: exact events returned and exact responses sent, in order."""

from __future__ import annotations

import asyncio

from rasa_sdk.events import SlotSet

from actions.common.dates import waktu_lengkap
from actions.homecare.manage import (
    ActionBatalHomecare,
    ActionMulaiBatalHomecare,
    ActionUbahJadwalHomecare,
    ValidateBatalHomecareForm,
    ValidateUbahJadwalForm,
)
from actions.homecare.state import reset_events
from citybot.backend.db import Database
from citybot.backend.services import homecare
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
