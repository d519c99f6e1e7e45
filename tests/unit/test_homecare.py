"""HomeCare helpers: yes/no answers, ages, phone numbers, booking codes, choosing a slot."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.common.answers import parse_phone, wants_to_cancel, yes_no
from actions.homecare.parsing import match_option, normalise_code, parse_age, slot_options
from citybot.client.models import Slot


@pytest.mark.parametrize(
    ("value", "intent", "expected"),
    [
        (True, "", True),
        (False, "", False),
        ("apa saja", "ya", True),
        ("x", "tidak", False),
        ("tidak ada", "nlu_fallback", False),
        ("nda ada ji", "nlu_fallback", False),
        ("ada", "nlu_fallback", True),
        ("iye", "nlu_fallback", True),
        ("mungkin", "nlu_fallback", None),
        ("", "nlu_fallback", None),
    ],
)
def test_yes_no(value: object, intent: str, expected: bool | None) -> None:
    assert yes_no(value, intent) is expected


@pytest.mark.parametrize(
    ("text", "age"), [("67", 67), ("umur 5 tahun", 5), ("8 bulan", 0), ("200", None), ("tua", None)]
)
def test_age(text: str, age: int | None) -> None:
    assert parse_age(text) == age


@pytest.mark.parametrize(
    ("text", "phone"),
    [("081234567890", "+6281234567890"), ("+62 812-3456-7890", "+6281234567890"), ("12345", None), ("nomor", None)],
)
def test_phone(text: str, phone: str | None) -> None:
    assert parse_phone(text) == phone


@pytest.mark.parametrize(
    ("text", "code"), [("batal HC-ab23cd", "HC-AB23CD"), ("hc ab23cd", "HC-AB23CD"), ("HC-AB10CD", None), ("", None)]
)
def test_booking_code(text: str, code: str | None) -> None:
    assert normalise_code(text) == code


def test_cancel_words_only_when_the_message_is_just_that() -> None:
    assert wants_to_cancel("gak jadi deh") and wants_to_cancel("Batalkan pesanan")
    assert not wants_to_cancel("batuk, ga jadi sembuh") and not wants_to_cancel("tidak ada")


def _slots() -> list[Slot]:
    # Monday 30 Nov 2026 08:00 and 10:00 WITA, Tuesday 1 Dec 08:00 WITA (UTC+8).
    starts = [
        dt.datetime(2026, 11, 30, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 0, tzinfo=dt.UTC),
    ]
    return [
        Slot(id=10 + i, puskesmas_id=1, start=s, end=s + dt.timedelta(minutes=90), capacity=2, available=2)
        for i, s in enumerate(starts)
    ]


def test_slot_options_are_local_time_labels() -> None:
    options = slot_options(_slots(), "Asia/Makassar")
    assert options[0]["label"] == "Sen 30 Nov 08.00–09.30"
    assert options[2]["lengkap"] == "Selasa, 1 Desember 2026 pukul 08.00 WITA"


@pytest.mark.parametrize(
    ("answer", "slot_id"),
    [
        ("11", 11),
        ("yang kedua", 11),
        ("senin jam 10", 11),
        ("selasa jam 8", 12),
        ("selasa pagi", 12),
        ("2", 11),
        ("jam 15.00", None),
        ("rabu", None),
        ("terserah", None),
    ],
)
def test_choosing_an_offered_slot(answer: str, slot_id: int | None) -> None:
    chosen = match_option(answer, slot_options(_slots(), "Asia/Makassar"))
    assert (chosen["id"] if chosen else None) == slot_id
