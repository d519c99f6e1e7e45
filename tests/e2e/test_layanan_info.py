"""Questions answered from the knowledge files through the real stack, also inside a form."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_homecare import buttons_of, say, text_of
from tests.stack import Stack

pytestmark = pytest.mark.e2e


def test_answer_cites_its_source_and_asks_for_feedback(stack: Stack) -> None:
    client = f"li-{uuid.uuid4()}"
    replies = say(stack, client, "syarat PBG apa saja?")
    text = text_of(replies)
    assert "Sumber: Persetujuan Bangunan Gedung" in text, text
    assert "Apakah ini menjawab pertanyaan Anda?" in text
    assert {b["payload"] for b in buttons_of(replies)} == {"/ya", "/tidak"}

    replies = say(stack, client, payload="/tidak")
    payloads = [b["payload"] for b in buttons_of(replies)]
    assert payloads[-1] == "/bicara_petugas" and any('"dokumen"' in p for p in payloads), replies

    other = next(p for p in payloads if '"dokumen"' in p)
    text = text_of(say(stack, client, payload=other))
    assert "Sumber:" in text and "Apakah ini menjawab" in text, text


def test_menu_button_asks_for_the_question(stack: Stack) -> None:
    replies = say(stack, f"li-{uuid.uuid4()}", payload="/tanya_layanan")
    assert "Silakan tulis pertanyaan Anda" in text_of(replies)


def test_question_inside_the_booking_form_then_the_form_resumes(makassar_stack: Stack) -> None:
    stack = makassar_stack
    client = f"li-{uuid.uuid4()}"
    say(stack, client, "pesan homecare")
    text = text_of(say(stack, client, "tarif jaklingko berapa sih?"))
    assert "Sumber:" in text, text
    assert "Apakah ini menjawab" not in text  # no feedback question inside a form
    assert "tanda bahaya 1 dari 2" in text, text  # the pending question is asked again
