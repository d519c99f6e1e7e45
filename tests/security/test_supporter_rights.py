"""Supporting a report does not make you its reporter.

A citizen supports a nearby report through the duplicate offer of the complaint form. Before the
fix the backend listed supported complaints as the supporter's own, so a status look-up showed
the reporter's view (place, history with the agents' notes), every agent note was pushed to the
supporter, and the supporter's "belum beres" reopened somebody else's report.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from citybot.client import CityClient
from citybot.gateway.senders import sender_id
from tests.reliability.harness import all_text, say
from tests.stack import Stack
from tests.webclient import client_id, headers_for

pytestmark = pytest.mark.e2e


def _agent_status(stack: Stack, ticket: str, status: str, note: str) -> None:
    async def run() -> None:
        async with CityClient(stack.backend_url, stack.env["BACKEND_API_KEY"], timeout=10) as city:
            token = (await city.agent_login("supervisor", stack.env["AGENT_BOOTSTRAP_PASSWORD"])).token
            await city.agent_change_status(token, ticket, status=status, note=note)  # type: ignore[arg-type]

    asyncio.run(run())


def _complaint(stack: Stack, ticket: str) -> dict[str, object]:
    response = httpx.get(
        f"{stack.backend_url}/api/v1/complaints/{ticket}", headers={"X-API-Key": stack.env["BACKEND_API_KEY"]}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert isinstance(data, dict)
    return data


def _inbox_until(stack: Stack, client: str, needle: str, timeout: float = 60.0) -> str:
    """Everything pushed to a web citizen until a push containing `needle` arrives."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inbox = httpx.get(
            f"{stack.gateway_url}/api/messages/inbox", headers=headers_for(stack.gateway_url, client), timeout=10
        )
        assert inbox.status_code == 200, inbox.text
        seen += [r.get("text") or "" for r in inbox.json()["replies"]]
        if any(needle in text for text in seen):
            return "\n".join(seen)
        time.sleep(0.5)
    raise AssertionError(f"no push with {needle!r} for {client} within {timeout:.0f} s; got {seen}")


def test_supporter_sees_the_public_view_gets_no_notes_and_cannot_reopen(sec_stack: Stack) -> None:
    stack = sec_stack
    reporter, supporter = f"rep-{uuid.uuid4()}", f"sup-{uuid.uuid4()}"
    word = "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:8])
    place = f"Jl. Salemba Bluntas {word.title()} depan Masjid, Kel. Paseban"
    reporter_address = sender_id(stack.env["SENDER_ID_KEY"], "web", client_id(stack.gateway_url, reporter))
    say(stack, reporter, "halo")
    created = httpx.post(
        f"{stack.backend_url}/open311/v2/requests.json",
        data={
            "service_code": "jalan-rusak",
            "address_string": place,
            "kelurahan": "Paseban",
            "description": f"Jalan berlubang di depan rumah saya nomor {word}",
            "reporter_channel": "web",
            "reporter_address": reporter_address,
        },
        headers={"X-API-Key": stack.env["BACKEND_API_KEY"], "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    ticket = created.json()[0]["service_request_id"]

    # The supporter takes the duplicate offer of the complaint form.
    say(stack, supporter, "halo")
    say(stack, supporter, "mau lapor jalan rusak")
    offer = all_text(say(stack, supporter, place))
    assert "Sudah ada laporan serupa" in offer and ticket in offer, offer
    assert f"mendukung laporan {ticket}" in all_text(say(stack, supporter, payload="/ya")), ticket

    # An agent writes a note meant for the reporter.
    note = f"Petugas akan menelepon Bapak pemilik rumah {word} besok pagi."
    _agent_status(stack, ticket, "disposisi", note)
    assert note in _inbox_until(stack, reporter, note)
    pushed = _inbox_until(stack, supporter, ticket)
    assert "Disposisi" in pushed and note not in pushed and word not in pushed, pushed

    # The supporter's look-up is the public template: no place, no description, no note.
    lookup = all_text(say(stack, supporter, payload=f'/cek_status_laporan{{"nomor_tiket": "{ticket}"}}'))
    assert f"Laporan {ticket}" in lookup and "hanya ditampilkan kepada pelapornya" in lookup, lookup
    assert word not in lookup.lower() and "Riwayat" not in lookup and "Laporan Anda" not in lookup, lookup
    # The reporter still sees everything.
    own = all_text(say(stack, reporter, payload=f'/cek_status_laporan{{"nomor_tiket": "{ticket}"}}'))
    assert f"Laporan Anda {ticket}" in own and note in own, own

    # Done: only the reporter may say whether it is really fixed.
    _agent_status(stack, ticket, "proses", "Sedang dikerjakan.")
    _agent_status(stack, ticket, "selesai", "Sudah ditambal.")
    refused = all_text(say(stack, supporter, payload=f'/belum_beres{{"nomor_tiket": "{ticket}"}}'))
    assert "hanya pelapor" in refused, refused
    say(stack, supporter, payload=f'/sudah_beres{{"nomor_tiket": "{ticket}"}}')
    after = _complaint(stack, ticket)
    assert after["status"] == "selesai" and after["awaiting_confirmation"] is True, after
    assert all(h["actor"] != "pelapor" for h in after["history"])  # type: ignore[union-attr]
    reopened = all_text(say(stack, reporter, payload=f'/belum_beres{{"nomor_tiket": "{ticket}"}}'))
    assert "dibuka kembali" in reopened, reopened
    assert _complaint(stack, ticket)["status"] == "proses"
