"""Asking for a human reaches the gateway's handoff: queued within office hours, callback outside."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_homecare import say, text_of
from tests.stack import Stack

pytestmark = pytest.mark.e2e


def test_citizen_asks_for_an_agent(stack: Stack) -> None:
    client = f"ho-{uuid.uuid4()}"
    say(stack, client, "halo")
    text = text_of(say(stack, client, "mau bicara dengan petugas"))
    assert "teruskan ke petugas" in text or "di luar jam kerja" in text, text
    assert "belum bisa menyambungkan" not in text, text
