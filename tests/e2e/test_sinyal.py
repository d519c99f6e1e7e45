"""Conversation signals through the real stack (gateway, Rasa, action server, backend): a message
the assistant cannot read becomes a masked "not understood" signal an editor reads back, and an
emergency reply is counted by type and kelurahan for the supervisor, with no text kept."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.stack import Stack, say, text_of

pytestmark = pytest.mark.e2e


def supervisor_token(stack: Stack) -> str:
    # The backend seeds its "supervisor" account with AGENT_BOOTSTRAP_PASSWORD.
    response = httpx.post(
        f"{stack.backend_url}/api/v1/agent/login",
        json={"username": "supervisor", "password": stack.env["AGENT_BOOTSTRAP_PASSWORD"]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def read(stack: Stack, path: str, token: str) -> dict[str, Any]:
    response = httpx.get(f"{stack.backend_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def eventually(check: Callable[[], Any], timeout: float = 15) -> Any:
    """Signals are recorded in the background, after the reply went out."""
    deadline = time.monotonic() + timeout
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.3)
    return found


def test_fallback_and_emergency_messages_become_signals(stack: Stack) -> None:
    token = supervisor_token(stack)
    client = f"sg-{uuid.uuid4()}"
    say(stack, client, "halo")
    gibberish = f"xq zzv kkptr wq {uuid.uuid4().hex[:6]}"
    replies = say(stack, client, gibberish)
    assert "belum yakin" in text_of(replies) or "belum paham" in text_of(replies), replies

    def unanswered() -> list[dict[str, Any]]:
        items = read(stack, "/api/v1/agent/signals/unanswered?since_days=1", token)["items"]
        return [i for i in items if i["text"] == gibberish]

    found = eventually(unanswered)
    assert [i["kind"] for i in found] == ["not_understood"], found

    def flood_count() -> int:
        today = read(stack, "/api/v1/agent/insight/emergencies?days=7", token)["today"]
        return sum(c["count"] for c in today if c["type"] == "banjir" and (c["kelurahan"] or "").lower() == "cideng")

    before = flood_count()
    text = text_of(say(stack, f"sg-{uuid.uuid4()}", "banjir di kelurahan Cideng sudah sedada, ada nenek terjebak"))
    assert "BPBD" in text, text
    assert eventually(lambda: flood_count() == before + 1), flood_count()
    # The emergency left a count, not the message.
    items = read(stack, "/api/v1/agent/signals/unanswered?since_days=1", token)["items"]
    assert not any("nenek terjebak" in i["text"] for i in items)
