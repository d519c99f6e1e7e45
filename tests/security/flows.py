"""Citizen journeys used by the security tests, driven like the journeys' own e2e tests."""

from __future__ import annotations

import re

from tests.reliability.complaint_flow import TICKET, form_steps, submit, take, via_gateway
from tests.reliability.harness import all_text, payloads, say
from tests.stack import Stack

CODE = re.compile(r"\b(HC-[A-Z2-9]{6})\b")
SLOT_PAYLOAD = re.compile(r'"jadwal":\s*"(\d+)"')


def book_homecare(stack: Stack, client: str, *, phone: str, patient: str, complaint: str) -> str:
    """A whole HomeCare booking; returns the booking code."""
    steps: list[tuple[str | None, str | None, str]] = [
        ("mau pesan dokter ke rumah untuk nenek saya", None, "tanda bahaya 1 dari 2"),
        (None, "/tidak", "tanda bahaya 2 dari 2"),
        ("tidak ada", None, "Apakah Anda setuju"),
        (None, "/ya", "nama pasien"),
        (patient, None, "umur pasien"),
        ("72", None, "Nomor HP"),
        (phone, None, "Alamat lengkap"),
        ("Jl. Tamalate I No. 10, RT 02 RW 03, dekat masjid", None, "kelurahan"),
        ("Kassi-Kassi", None, "keluhan"),
    ]
    for text, payload, expect in steps:
        reply = all_text(say(stack, client, text, payload, timeout=90))
        assert expect.lower() in reply.lower(), f"after {text or payload!r}: {reply}"
    replies = say(stack, client, complaint, timeout=90)
    offered = [m.group(1) for p in payloads(replies) if (m := SLOT_PAYLOAD.search(p))]
    assert offered, all_text(replies)
    say(stack, client, payload=f'/pilih_jadwal{{"jadwal": "{offered[0]}"}}', timeout=90)
    reply = all_text(say(stack, client, payload="/ya", timeout=90))
    found = CODE.search(reply)
    assert found, reply
    return found.group(1)


def file_complaint(stack: Stack, client: str, description: str, contact: str | None = None) -> str:
    """A whole complaint form (anonymous, or with "name and phone" given); returns the ticket."""
    send = via_gateway(stack, client)
    say(stack, client, "halo")
    steps = form_steps(description, stack.gateway_url)
    for step in steps[:-1]:
        take(send, step)
    reply = all_text(say(stack, client, contact or "anonim aja", timeout=90))
    for _ in range(3):  # with a contact the form may confirm it first; say yes until the summary
        if "Mohon periksa laporan Anda" in reply:
            break
        reply = all_text(say(stack, client, payload="/ya", timeout=90))
    assert "Mohon periksa laporan Anda" in reply, reply
    reply = submit(stack, client)
    found = TICKET.search(reply)
    assert found, reply
    return found.group(1)
