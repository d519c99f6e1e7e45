"""HomeCare booked entirely in chat through the real gateway, Rasa, action server and backend.

A booking exists once, for the chosen slot, and takes its place (two bookings fill a slot of
capacity 2 so it is no longer offered); cancelling by code frees the place again.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest

from citybot.client import CityClient, Slot
from citybot.gateway.senders import sender_id
from tests.stack import Stack, buttons_of, say, text_of
from tests.webclient import client_id

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(makassar_stack: Stack) -> Stack:
    """HomeCare runs in Makassar: every test here talks to the Makassar profile."""
    return makassar_stack


CODE = re.compile(r"\b(HC-[A-Z2-9]{6})\b")
SLOT_PAYLOAD = re.compile(r'"jadwal":\s*"(\d+)"')


def city(stack: Stack) -> CityClient:
    return CityClient(stack.backend_url, stack.env["BACKEND_API_KEY"], timeout=10)


async def _free(stack: Stack, puskesmas_id: int) -> list[Slot]:
    async with city(stack) as c:
        return await c.free_slots(puskesmas_id)


def free_slots(stack: Stack, puskesmas_id: int) -> dict[int, int]:
    return {s.id: s.available for s in asyncio.run(_free(stack, puskesmas_id))}


async def _puskesmas_id(stack: Stack, kelurahan: str) -> int:
    async with city(stack) as c:
        return (await c.find_puskesmas(kelurahan))[0].id


def web_address(stack: Stack, client: str) -> str:
    return sender_id(stack.env["SENDER_ID_KEY"], "web", client_id(stack.gateway_url, client))


def bookings_of(stack: Stack, client: str) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        async with city(stack) as c:
            export = await c.export_data(channel="web", address=web_address(stack, client))
            return list(export.bookings)

    return asyncio.run(run())


def book(stack: Stack, client: str, *, slot_id: int | None = None, phone: str = "0812 3456 7890") -> tuple[str, int]:
    """Walks the whole booking; returns the booking code and the slot id chosen."""
    text = text_of(say(stack, client, "mau pesan dokter ke rumah untuk nenek saya"))
    assert "tanda bahaya 1 dari 2" in text, text
    text = text_of(say(stack, client, payload="/tidak"))
    assert "tanda bahaya 2 dari 2" in text, text
    text = text_of(say(stack, client, "tidak ada"))
    assert "Pelindungan Data Pribadi" in text and "Apakah Anda setuju" in text, text
    text = text_of(say(stack, client, payload="/ya"))
    assert "nama pasien" in text, text
    text = text_of(say(stack, client, "Daeng Ngalle"))
    assert "umur pasien" in text, text
    text = text_of(say(stack, client, "72"))
    assert "Nomor HP" in text, text
    text = text_of(say(stack, client, phone))
    assert "Alamat lengkap" in text, text
    text = text_of(say(stack, client, "Jl. Tamalate I No. 10, RT 02 RW 03, dekat masjid"))
    assert "kelurahan" in text.lower(), text
    text = text_of(say(stack, client, "Kassi-Kassi"))
    assert "Puskesmas Kassi-Kassi" in text and "keluhan" in text.lower(), text
    replies = say(stack, client, "demam 3 hari, lemas, susah makan")
    offered = [int(m.group(1)) for b in buttons_of(replies) if (m := SLOT_PAYLOAD.search(b["payload"]))]
    assert offered, text_of(replies)
    chosen = slot_id if slot_id is not None else offered[0]
    assert chosen in offered
    replies = say(stack, client, payload=f'/pilih_jadwal{{"jadwal": "{chosen}"}}')
    summary = text_of(replies)
    e164 = "+62" + re.sub(r"\D", "", phone)[1:]
    assert "Daeng Ngalle" in summary and e164 in summary and "Kassi-Kassi" in summary, summary
    text = text_of(say(stack, client, payload="/ya"))
    match = CODE.search(text)
    assert match, text
    return match.group(1), chosen


def test_booking_takes_the_chosen_slot_once_and_cancel_frees_it(stack: Stack) -> None:
    puskesmas_id = asyncio.run(_puskesmas_id(stack, "Kassi-Kassi"))
    before = free_slots(stack, puskesmas_id)
    first, second = f"hc-{uuid.uuid4()}", f"hc-{uuid.uuid4()}"

    # Other tests on this stack book too: take the earliest slot with both places still free.
    code, slot_id = book(stack, first, slot_id=min(s for s, free in before.items() if free == 2))
    assert free_slots(stack, puskesmas_id).get(slot_id) == before[slot_id] - 1
    mine = bookings_of(stack, first)
    assert [b["code"] for b in mine] == [code]  # exactly one booking for this conversation
    assert mine[0]["status"] == "booked" and mine[0]["phone"] == "+6281234567890"

    # A second citizen takes the other place of the same slot (capacity 2): no longer offered.
    code2, _ = book(stack, second, slot_id=slot_id)
    assert slot_id not in free_slots(stack, puskesmas_id)

    # Cancel by code frees a place: the slot is offered again.
    text = text_of(say(stack, first, f"batalkan homecare {code}"))
    assert code in text and "Daeng Ngalle" in text, text
    text = text_of(say(stack, first, payload="/ya"))
    assert "sudah dibatalkan" in text, text
    assert free_slots(stack, puskesmas_id).get(slot_id) == 1
    assert [b["status"] for b in bookings_of(stack, first)] == ["cancelled"]
    assert [b["code"] for b in bookings_of(stack, second)] == [code2]


def test_reschedule_moves_the_booking(stack: Stack) -> None:
    client = f"hc-{uuid.uuid4()}"
    puskesmas_id = asyncio.run(_puskesmas_id(stack, "Kassi-Kassi"))
    code, old_slot = book(stack, client)
    replies = say(stack, client, f"ubah jadwal {code}")
    offered = [int(m.group(1)) for b in buttons_of(replies) if (m := SLOT_PAYLOAD.search(b["payload"]))]
    assert offered and old_slot not in offered, text_of(replies)
    new_slot = offered[-1]
    before = free_slots(stack, puskesmas_id)
    text = text_of(say(stack, client, payload=f'/pilih_jadwal{{"jadwal": "{new_slot}"}}'))
    assert "diubah" in text and code in text, text
    after = free_slots(stack, puskesmas_id)
    assert after.get(new_slot, 0) == before[new_slot] - 1
    assert after[old_slot] == before.get(old_slot, 0) + 1


def test_refusing_consent_books_nothing(stack: Stack) -> None:
    client = f"hc-{uuid.uuid4()}"
    say(stack, client, "pesan homecare")
    say(stack, client, payload="/tidak")
    say(stack, client, payload="/tidak")
    text = text_of(say(stack, client, payload="/tidak"))
    assert "tanpa persetujuan" in text, text
    assert bookings_of(stack, client) == []
