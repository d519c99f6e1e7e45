"""Questions in one message, and follow-ups that lean on the previous answer."""

from __future__ import annotations

import pytest

from actions.pertanyaan import is_follow_up, previous_topic, questions_in, search_text, with_topic


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        ("syarat bikin SKCK apa aja?", ["syarat bikin SKCK apa aja?"]),
        ("syarat SKCK apa aja? biayanya berapa?", ["syarat SKCK apa aja?", "biayanya berapa?"]),
        (
            "syarat skck apa aja, terus akta lahir anak gimana ngurusnya",
            ["syarat skck apa aja", "terus akta lahir anak gimana ngurusnya"],
        ),
        ("a? b? c? d? e?", ["a? b? c? d? e?"]),
        (
            "ini satu? dua kata? tiga kata lagi? empat juga ya? lima lagi deh?",
            ["ini satu?", "dua kata?", "tiga kata lagi?"],
        ),
    ],
)
def test_questions_are_split_and_capped(text: str, questions: list[str]) -> None:
    assert questions_in(text) == questions


@pytest.mark.parametrize("text", ["brp biayanya gan", "kalau online bisa?", "syaratnya apa aja", "jam bukanya?"])
def test_follow_ups(text: str) -> None:
    assert is_follow_up(text)


@pytest.mark.parametrize(
    "text", ["syarat bikin KTP untuk anak yang baru 17 tahun di kelurahan", "jalan depan rumah rusak parah"]
)
def test_not_follow_ups(text: str) -> None:
    assert not is_follow_up(text)


def test_the_previous_topic_comes_from_the_last_answer() -> None:
    stored = {"items": [{"doc_id": "skck", "title": "SKCK", "section": "Biaya", "text": "Rp30.000"}]}
    topic = previous_topic(stored)
    assert topic is not None and with_topic("brp biayanya", topic) == "brp biayanya SKCK"
    assert previous_topic(None) is None and previous_topic({"items": []}) is None


@pytest.mark.parametrize(
    ("question", "query"),
    [
        ("yaudah deh. kalo imunisasi bayi umur 2 bulan apa aja kak?", "imunisasi bayi umur 2 bulan apa aja?"),
        ("mau tanya min, jam buka puskesmas kapan ya?", "jam buka puskesmas kapan?"),
        ("kalau KTP hilang gimana", "KTP hilang gimana"),
        ("kak", "kak"),
    ],
)
def test_fillers_and_forms_of_address_are_not_searched(question: str, query: str) -> None:
    assert search_text(question) == query
