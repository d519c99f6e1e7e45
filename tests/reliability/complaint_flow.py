"""The complaint form as the complaint engineer's e2e test drives it, step by step, so a fault can
be injected between any two turns (tests/e2e/test_pengaduan.py is the reference path)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from citybot.gateway.senders import sender_id
from tests.reliability.harness import all_text, say
from tests.stack import Stack
from tests.webclient import client_id, headers_for

TICKET = re.compile(r"\b([A-Z]{2,5}-\d{4}-\d{6})\b")
PHOTO_FILE = "/media/" + "1b" * 16 + ".jpg"  # a name of the gateway's own media store
PLACE = "Jl. Cempaka Putih Raya depan Apotek Sehat, Kel. Rawasari"
QUEUED = "sudah saya simpan"
# Earlier test complaints at the same place make the form offer to support one of them instead.
DUPLICATE_OFFER = "Dukung laporan itu saja"


@dataclass(frozen=True)
class Step:
    text: str | None
    payload: str | None
    expect: str  # what the next question contains once this answer is taken


def form_steps(description: str, gateway_url: str) -> list[Step]:
    """The form's answers; the photo link names the stack's own gateway (no other is accepted)."""
    photo = gateway_url + PHOTO_FILE
    return [
        Step("mau lapor jalan rusak", None, "Di mana lokasinya"),
        Step(PLACE, None, "Ceritakan singkat masalahnya"),
        Step(description, None, "Ada foto"),
        Step(None, f'/kirim_foto{{"media_url": "{photo}"}}', "nama dan nomor HP"),
        Step("anonim aja", None, "Mohon periksa laporan Anda"),
    ]


def take(send: Callable[[Step], str], step: Step) -> str:
    text = send(step)
    if DUPLICATE_OFFER in text:  # "no, file my own report": the form goes on with the next question
        text = send(Step(None, "/tidak", step.expect))
    assert step.expect in text, f"after {step.text or step.payload!r} expected {step.expect!r}, got:\n{text}"
    return text


def via_gateway(stack: Stack, client: str) -> Callable[[Step], str]:
    return lambda step: all_text(say(stack, client, step.text, step.payload, timeout=90))


def submit(stack: Stack, client: str) -> str:
    return all_text(say(stack, client, payload="/kirim_pengaduan", timeout=90))


def complaints_of(stack: Stack, client: str, channel: str = "web", address: str | None = None) -> list[dict[str, Any]]:
    """The backend's own record for one reporter (web senders are keyed by the gateway's hash)."""
    address = address or sender_id(stack.env["SENDER_ID_KEY"], channel, client_id(stack.gateway_url, client))
    response = httpx.get(
        f"{stack.backend_url}/api/v1/complaints",
        params={"channel": channel, "address": address},
        headers={"X-API-Key": stack.env["BACKEND_API_KEY"]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert isinstance(data, list)
    return data


def complaints_with(stack: Stack, description: str) -> list[dict[str, Any]]:
    """Every complaint (any reporter, last 90 days) whose description is exactly this one."""
    response = httpx.get(
        f"{stack.backend_url}/open311/v2/requests.json",
        headers={"X-API-Key": stack.env["BACKEND_API_KEY"]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [r for r in response.json() if r.get("description") == description]


def wait_for_ticket_push(stack: Stack, client: str, timeout: float = 120.0) -> str:
    """The ticket number pushed to a web citizen's inbox once a queued complaint is filed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inbox = httpx.get(
            f"{stack.gateway_url}/api/messages/inbox", headers=headers_for(stack.gateway_url, client), timeout=10
        )
        assert inbox.status_code == 200, inbox.text
        for reply in inbox.json()["replies"]:
            found = TICKET.search(reply.get("text") or "")
            if found:
                return found.group(1)
        time.sleep(1.0)
    raise AssertionError(f"no ticket pushed to {client} within {timeout:.0f} s")
