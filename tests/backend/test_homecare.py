"""HomeCare: puskesmas look-up, free slots, booking life cycle, and the last-slot race."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from sqlalchemy import func, select

from citybot.backend.models import Booking as BookingRow
from citybot.backend.models import Slot as SlotRow
from citybot.client import CityClient, NotFound, Rejected
from tests.backend.conftest import Backend
from tests.backend.helpers import add_slot, unique

pytestmark = pytest.mark.postgres

VALID_NIK = "7371014101900001"  # 73 = Sulawesi Selatan, born 01-01-1990 (+40: female)


def booking_body(slot_id: int, **extra: object) -> dict[str, object]:
    return {
        "slot_id": slot_id,
        "patient_name": "Daeng Ngai",
        "patient_age": 72,
        "phone": "0811-4123-456",
        "address": "Jl. Tamalate I Lr. 3 No. 7",
        "kelurahan": "Karunrung",
        "complaint": "Lansia sulit berjalan, perlu kontrol tekanan darah.",
        "red_flags": {"sesak_napas": False, "nyeri_dada": False, "tidak_sadar": False},
        "channel": "whatsapp",
        "channel_address": unique("wa"),
        **extra,
    }


async def test_find_puskesmas_by_kelurahan_and_list_free_slots(city: CityClient) -> None:
    found = await city.find_puskesmas("karunrung ")
    assert [p.code for p in found] == ["MKS-KSK"]
    assert "Karunrung" in found[0].kelurahan_served and found[0].timezone == "Asia/Makassar"
    assert await city.find_puskesmas("Kelurahan Entah") == []
    slots = await city.free_slots(found[0].id, days=14)
    assert len(slots) >= 30
    assert all(s.available > 0 and s.start.utcoffset() == dt.timedelta(hours=8) for s in slots)
    assert slots == sorted(slots, key=lambda s: s.start)
    with pytest.raises(NotFound):
        await city.free_slots(999_999)


async def test_book_get_reschedule_cancel(backend: Backend, city: CityClient) -> None:
    first, second = add_slot(backend.db, capacity=2), add_slot(backend.db, capacity=2)
    booking = await city.book(
        slot_id=first,
        patient_name="Daeng Ngai",
        patient_age=72,
        phone="0811 4123 456",
        address="Jl. Tamalate I No. 7",
        kelurahan="Karunrung",
        complaint="Kontrol tekanan darah",
        red_flags={"sesak_napas": False},
        channel="telegram",
        channel_address=unique("tg"),
        idempotency_key=unique(),
        nik=VALID_NIK,
    )
    assert booking.code.startswith("HC-") and booking.status == "booked"
    assert booking.phone == "+628114123456"
    assert booking.slot.available == 1 and booking.puskesmas.code == "MKS-KSK"
    assert (await city.get_booking(booking.code.lower())).code == booking.code
    moved = await city.reschedule_booking(booking.code, slot_id=second)
    assert moved.slot.id == second and moved.slot.available == 1
    with backend.db.read() as session:
        assert session.get(SlotRow, first).booked == 0  # type: ignore[union-attr]
    cancelled = await city.cancel_booking(booking.code, reason="Sudah dibawa ke RS")
    assert cancelled.status == "cancelled" and cancelled.slot.available == 2
    with pytest.raises(Rejected) as again:
        await city.cancel_booking(booking.code)
    assert again.value.code == "booking_not_active"
    with pytest.raises(NotFound):
        await city.get_booking("HC-XXXXXX")


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"red_flags": {"sesak_napas": True}}, "red_flag_emergency"),
        ({"kelurahan": "Tamalanrea"}, "kelurahan_not_served"),
        ({"nik": "1234567890123456"}, "invalid_nik"),
        ({"phone": "555"}, "invalid_phone"),
        ({"patient_name": "\x00 "}, "patient_name_required"),
        ({"slot_id": 2_000_000_000}, "slot_not_found"),
    ],
)
async def test_booking_rejections(
    backend: Backend, http: httpx.AsyncClient, extra: dict[str, object], code: str
) -> None:
    slot = add_slot(backend.db)
    response = await http.post("/api/v1/homecare/bookings", json={**booking_body(slot), **extra})
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == code and response.json()["message"]
    if code == "red_flag_emergency":
        assert "112" in response.json()["message"]


async def test_twenty_citizens_racing_for_the_last_slot_exactly_one_wins(
    backend: Backend, http: httpx.AsyncClient
) -> None:
    """Runs on both engines; on PostgreSQL the 20 transactions really overlap."""
    slot = add_slot(backend.db, capacity=1)
    responses = await asyncio.gather(
        *[
            http.post("/api/v1/homecare/bookings", json=booking_body(slot), headers={"Idempotency-Key": unique()})
            for _ in range(20)
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 19, [r.text for r in responses if r.status_code not in (201, 409)]
    assert all(r.json()["code"] == "slot_full" for r in responses if r.status_code == 409)
    with backend.db.read() as session:
        assert session.get(SlotRow, slot).booked == 1  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).where(BookingRow.slot_id == slot)) == 1


async def test_concurrent_repeats_of_a_booking_key_book_once(backend: Backend, http: httpx.AsyncClient) -> None:
    slot = add_slot(backend.db, capacity=5)
    body, key = booking_body(slot), unique("book")
    responses = await asyncio.gather(
        *[http.post("/api/v1/homecare/bookings", json=body, headers={"Idempotency-Key": key}) for _ in range(10)]
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["code"] for r in responses}) == 1
    with backend.db.read() as session:
        assert session.get(SlotRow, slot).booked == 1  # type: ignore[union-attr]


async def test_agent_lists_bookings_by_day(backend: Backend, city: CityClient) -> None:
    from tests.backend.test_workflow_notify import supervisor_token

    slot = add_slot(backend.db, capacity=1, days_ahead=3)
    booking = await city.book(
        slot_id=slot,
        patient_name="Andi",
        phone="081241234567",
        address="Jl. Tidung",
        kelurahan="Tidung",
        complaint="Luka diabetes",
        red_flags={},
        channel="web",
        channel_address=unique(),
        idempotency_key=unique(),
    )
    token = await supervisor_token(city)
    day = booking.slot.start.date()
    page = await city.agent_bookings(token, date=day)
    assert booking.code in [b.code for b in page.items]
    other = await city.agent_bookings(token, date=day + dt.timedelta(days=1), puskesmas_id=booking.puskesmas.id)
    assert booking.code not in [b.code for b in other.items]
