"""A complaint filed entirely in chat, through the real gateway, Rasa, action server and backend.

Covers: the form asks only for what is missing and files the complaint once with the right
fields and reporter channel; replaying the same turns files nothing new; with the backend down at
the moment of sending, the complaint is kept, delivered exactly once when the backend is back, and
the ticket number is pushed to the citizen.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest

from citybot.gateway.senders import sender_id
from tests.stack import Stack, text_of
from tests.stack import say as say_turn
from tests.webclient import client_id, headers_for

pytestmark = pytest.mark.e2e

TICKET = re.compile(r"\b(JKL-\d{4}-\d{6})\b")
PHOTO_FILE = "/media/" + "c3" * 16 + ".jpg"  # a name of the gateway's own media store
PLACE = "Jl. Cempaka Putih Raya depan Apotek Sehat, Kel. Rawasari"
OTHER_PLACE = "Jl. Kenari Raya depan Masjid Al-Ikhlas, Kel. Kenari"
DUPLICATE_PLACE = "Jl. Salemba Tengah dekat Gereja, Kel. Paseban"
DESCRIPTION = "Lubang besar di lajur kiri sedalam 20 cm, sudah dua motor jatuh minggu ini"


def say(stack: Stack, client: str, text: str | None = None, payload: str | None = None) -> str:
    return text_of(say_turn(stack, client, text, payload))


def complaints_of(stack: Stack, client: str) -> list[dict[str, Any]]:
    """The backend's own record, queried by the reporter contact the bot must have filed."""
    address = sender_id(stack.env["SENDER_ID_KEY"], "web", client_id(stack.gateway_url, client))
    response = httpx.get(
        f"{stack.backend_url}/api/v1/complaints",
        params={"channel": "web", "address": address},
        headers={"X-API-Key": stack.env["BACKEND_API_KEY"]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert isinstance(data, list)
    return data


def fill_form(stack: Stack, client: str, place: str = PLACE) -> str:
    """Every turn up to the summary; returns the summary text."""
    text = say(stack, client, "mau lapor jalan rusak")
    # The category was understood from the first message, so the form asks for the place next.
    assert "Di mana lokasinya" in text, text
    assert "Masalah apa" not in text
    text = say(stack, client, place)
    # The kelurahan was recognised inside the address, so it is not asked separately.
    assert "kelurahan (atau desa) apa" not in text
    assert "Ceritakan singkat masalahnya" in text, text
    text = say(stack, client, DESCRIPTION)
    assert "Ada foto" in text, text
    text = say(stack, client, payload=f'/kirim_foto{{"media_url": "{stack.gateway_url}{PHOTO_FILE}"}}')
    assert "nama dan nomor HP" in text, text
    text = say(stack, client, "anonim aja")
    assert "Mohon periksa laporan Anda" in text, text
    return text


def test_complaint_filed_once_with_the_right_fields_and_a_replay_files_nothing(stack: Stack) -> None:
    client = f"t-{uuid.uuid4()}"
    say(stack, client, "halo")
    summary = fill_form(stack, client)
    assert "Jalan Rusak" in summary and "Rawasari" in summary and "terlampir" in summary and "anonim" in summary

    reply = say(stack, client, payload="/kirim_pengaduan")
    found = TICKET.search(reply)
    assert found, reply
    ticket = found.group(1)
    assert "cek status" in reply

    filed = complaints_of(stack, client)
    assert [c["ticket"] for c in filed] == [ticket]
    complaint = filed[0]
    assert complaint["service_code"] == "jalan-rusak"
    assert complaint["address"] == PLACE
    assert complaint["kelurahan"] == "Rawasari"
    assert complaint["description"].startswith("Lubang besar di lajur kiri")
    assert complaint["media_url"] == stack.gateway_url + PHOTO_FILE
    assert complaint["status"] == "menunggu"

    # The same turns again (a retried conversation): same report, same key, no second complaint.
    fill_form(stack, client)
    again = say(stack, client, payload="/kirim_pengaduan")
    assert ticket in again, again
    assert [c["ticket"] for c in complaints_of(stack, client)] == [ticket]

    # The reporter sees the details of their own report.
    status = say(stack, client, f"cek status {ticket}")
    assert f"Laporan Anda {ticket}" in status and "Riwayat" in status, status
    listing = say(stack, client, "laporan saya gimana?")
    assert ticket in listing, listing


def test_backend_down_at_submit_queues_then_delivers_once_and_pushes_ticket(stack: Stack) -> None:
    client = f"t-{uuid.uuid4()}"
    say(stack, client, "halo")
    fill_form(stack, client, place=OTHER_PLACE)

    stack.stop("backend")
    try:
        reply = say(stack, client, payload="/kirim_pengaduan")
        assert "sudah saya simpan" in reply, reply
        assert not TICKET.search(reply)
        # A second tap on "Kirim" while it waits queues nothing more and says it is kept.
        assert "sudah saya simpan" in say(stack, client, payload="/kirim_pengaduan")
    finally:
        stack.start("backend")

    pushed: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not pushed:
        headers = headers_for(stack.gateway_url, client)
        inbox = httpx.get(f"{stack.gateway_url}/api/messages/inbox", headers=headers, timeout=10)
        assert inbox.status_code == 200, inbox.text
        pushed += [r.get("text") or "" for r in inbox.json()["replies"] if TICKET.search(r.get("text") or "")]
        if not pushed:
            time.sleep(1.0)
    assert pushed, "the ticket number never reached the citizen"
    found = TICKET.search(pushed[0])
    assert found
    ticket = found.group(1)

    filed = complaints_of(stack, client)
    assert [c["ticket"] for c in filed] == [ticket]
    assert filed[0]["media_url"] == stack.gateway_url + PHOTO_FILE and filed[0]["kelurahan"] == "Kenari"

    # Later retries of the worker (or of the citizen) create nothing new.
    time.sleep(3)
    assert len(complaints_of(stack, client)) == 1


def test_vague_place_is_reasked_and_cancel_files_nothing(stack: Stack) -> None:
    client = f"t-{uuid.uuid4()}"
    say(stack, client, "halo")
    text = say(stack, client, "mau lapor sampah numpuk di pasar")
    assert "Di mana lokasinya" in text, text
    # An unusable place is re-asked with an example instead of being accepted.
    text = say(stack, client, "di sini")
    assert "belum cukup jelas" in text, text
    text = say(stack, client, "batal")
    # Not sent; the draft is kept for a day in case the citizen changes their mind.
    assert "laporan tidak saya kirim" in text and "lanjutkan laporan" in text, text
    assert complaints_of(stack, client) == []
    # A "kirim" after the cancel sends nothing: the kept draft is not a confirmed report.
    say(stack, client, payload="/kirim_pengaduan")
    assert complaints_of(stack, client) == []


def test_similar_report_nearby_is_offered_and_supporting_subscribes(stack: Stack) -> None:
    # Someone already reported a broken road at this place (filed straight through Open311).
    created = httpx.post(
        f"{stack.backend_url}/open311/v2/requests.json",
        data={
            "service_code": "jalan-rusak",
            "address_string": DUPLICATE_PLACE,
            "kelurahan": "Paseban",
            "description": "Jalan berlubang besar di depan gereja",
        },
        headers={"X-API-Key": stack.env["BACKEND_API_KEY"], "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    existing = created.json()[0]["service_request_id"]

    client = f"t-{uuid.uuid4()}"
    say(stack, client, "halo")
    say(stack, client, "mau lapor jalan rusak")
    offer = say(stack, client, DUPLICATE_PLACE)
    assert "Sudah ada laporan serupa" in offer and existing in offer, offer
    reply = say(stack, client, payload="/ya")
    assert f"mendukung laporan {existing}" in reply, reply
    # Supporting subscribes this citizen (status pushes) without making it "their" report, and
    # files nothing new (issue 12, item 2).
    assert complaints_of(stack, client) == []
    supported = httpx.get(
        f"{stack.backend_url}/api/v1/complaints/{existing}",
        headers={"X-API-Key": stack.env["BACKEND_API_KEY"]},
        timeout=10,
    )
    assert supported.json()["supporters_count"] == 1, supported.text
