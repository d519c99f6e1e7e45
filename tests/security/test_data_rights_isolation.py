"""A phone number typed in chat proves nothing.

Citizen B types citizen A's phone number into the HomeCare form, cancels, then asks for and
deletes "their" data. Before the fix B's export listed A's booking (patient, phone, address,
complaint) and B's delete cancelled A's visit.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from citybot.client import CityClient
from citybot.gateway.senders import sender_id
from tests.reliability.harness import all_text, say
from tests.security.flows import book_homecare
from tests.stack import Stack
from tests.webclient import client_id

pytestmark = pytest.mark.e2e


def _bookings(stack: Stack, client: str) -> list[dict[str, object]]:
    async def run() -> list[dict[str, object]]:
        async with CityClient(stack.backend_url, stack.env["BACKEND_API_KEY"], timeout=10) as city:
            address = sender_id(stack.env["SENDER_ID_KEY"], "web", client_id(stack.gateway_url, client))
            return list((await city.export_data(channel="web", address=address)).bookings)

    return asyncio.run(run())


def test_typed_phone_number_reveals_and_deletes_nothing_of_its_owner(hc_stack: Stack) -> None:
    owner, intruder = f"own-{uuid.uuid4()}", f"intr-{uuid.uuid4()}"
    local = f"0812{uuid.uuid4().int % 10**8:08d}"
    patient = "Daeng Pemilik " + "".join(chr(ord("A") + int(c, 16)) for c in uuid.uuid4().hex[:4])
    code = book_homecare(hc_stack, owner, phone=local, patient=patient, complaint="batuk pilek sudah 4 hari")

    # The intruder walks the form far enough to type the owner's number, then leaves it.
    steps: list[tuple[str | None, str | None, str]] = [
        ("mau pesan homecare", None, "tanda bahaya 1 dari 2"),
        (None, "/tidak", "tanda bahaya 2 dari 2"),
        ("tidak ada", None, "Apakah Anda setuju"),
        (None, "/ya", "nama pasien"),
        ("Orang Lain", None, "umur pasien"),
        ("40", None, "Nomor HP"),
        (local, None, "Alamat lengkap"),
    ]
    for text, payload, expect in steps:
        reply = all_text(say(hc_stack, intruder, text, payload, timeout=90))
        assert expect.lower() in reply.lower(), f"after {text or payload!r}: {reply}"
    say(hc_stack, intruder, "batal", timeout=90)

    say(hc_stack, intruder, "lihat data saya", timeout=90)
    export = all_text(say(hc_stack, intruder, payload="/ya", timeout=90))
    for secret in (code, patient, local[1:], "Tamalate", "batuk pilek"):
        assert secret not in export, f"{secret!r} leaked to another citizen: {export}"
    assert "Tidak ada data pribadi" in export, export

    say(hc_stack, intruder, "hapus data saya", timeout=90)
    say(hc_stack, intruder, payload="/ya", timeout=90)

    mine = _bookings(hc_stack, owner)
    assert [(b["code"], b["status"], b["patient_name"]) for b in mine] == [(code, "booked", patient)]
