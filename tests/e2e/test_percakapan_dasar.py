"""A first Indonesian conversation through the real gateway, Rasa server and action server.

The session greeting and the "did you mean" buttons come from custom actions, so these tests
also prove that rasa-sdk on Python 3.11 serves the Rasa 3.6 server.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.stack import Stack, text_of
from tests.stack import say as say_turn
from tests.webclient import headers_for

pytestmark = pytest.mark.e2e


def say(stack: Stack, sender: str, text: str | None = None, payload: str | None = None) -> list[dict]:
    return say_turn(stack, sender, text, payload, timeout=60)


def test_greeting_gets_session_welcome_and_menu(stack: Stack) -> None:
    replies = say(stack, f"t-{uuid.uuid4()}", "assalamualaikum kak")
    text = text_of(replies)
    # action_session_start (custom action) greets by time of day in the city's zone.
    assert any(g in text for g in ("Selamat pagi", "Selamat siang", "Selamat sore", "Selamat malam"))
    assert "Asisten Kota" in text
    payloads = {b["payload"] for r in replies for b in r["buttons"]}
    # The default profile (Jakarta) runs neither HomeCare nor the village catalogue.
    assert {"/lapor_pengaduan", "/cek_status_laporan", "/cek_izin", "/bicara_petugas"} <= payloads
    assert not {"/pesan_homecare", "/cari_produk"} & payloads
    assert len(payloads) == 7


def test_menu_button_payload_is_understood(stack: Stack) -> None:
    sender = f"t-{uuid.uuid4()}"
    say(stack, sender, "halo")
    replies = say(stack, sender, payload="/tanya_kemampuan")
    assert "Saya bisa membantu" in text_of(replies)
    assert len([b for r in replies for b in r["buttons"]]) == 7


def test_out_of_scope_is_polite_and_says_what_it_can_do(stack: Stack) -> None:
    sender = f"t-{uuid.uuid4()}"
    say(stack, sender, "halo")
    replies = say(stack, sender, "resep rendang padang gimana ya")
    text = text_of(replies)
    assert "di luar layanan" in text
    assert "melaporkan masalah kota" in text
    assert "/lapor_pengaduan" in {b["payload"] for r in replies for b in r["buttons"]}


def test_gibberish_gets_clarification_buttons(stack: Stack) -> None:
    sender = f"t-{uuid.uuid4()}"
    say(stack, sender, "halo")
    replies = say(stack, sender, "xq zzv kkptr wq")
    text = text_of(replies)
    assert "belum yakin" in text or "belum paham" in text
    buttons = [b for r in replies for b in r["buttons"]]
    assert buttons, replies
    if "belum yakin" in text:
        # Two likely meanings plus a way out.
        assert len(buttons) == 3
        assert buttons[-1]["payload"] == "/tidak"


def test_empty_message_gets_polite_reply_without_rasa(stack: Stack) -> None:
    replies = say(stack, f"t-{uuid.uuid4()}", "  \x00 ")
    assert "kosong" in text_of(replies)


def test_invalid_body_is_a_clear_http_error(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.gateway_url}/api/messages",
        json={"text": ["halo"]},
        headers=headers_for(stack.gateway_url, "invalid-body"),
        timeout=10,
    )
    assert response.status_code == 422
    # Without a gateway-issued client id there is no conversation at all: a clear 401.
    response = httpx.post(f"{stack.gateway_url}/api/messages", json={"text": "halo"}, timeout=10)
    assert response.status_code == 401 and "/api/session" in response.json()["detail"]
