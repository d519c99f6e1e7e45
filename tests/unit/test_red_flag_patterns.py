"""The emergency safety net: acute wording always matches, chronic or unrelated wording never."""

from __future__ import annotations

import pytest

from citybot.nlu.red_flag_patterns import names_a_red_flag

# Several of these were read as an everyday complaint by the classifier in cross-validation.
ACUTE = [
    "nyeri dada menjalar ke lengan kiri",
    "luka robek darah banyak sekali",
    "kakek kena stroke barusan",
    "pasien henti jantung",
    "toloong ada yang tenggelam",
    "tabrakan di depan rumah ada yang luka parah",
    "kejang2 udah lima menit",
    "mau overdosis obat",
    "Ibu PINGSAN di dapur",
    "suami sesak nafas",
    "wajah bapak mencong sebelah",
    "darahnya ngucur terus",
    "anak  tidak\tsadar",
    "tiba-tiba stroke",
]
EVERYDAY = [
    "demam 3 hari, lemas, susah makan",
    "bapak pasca stroke, susah ke puskesmas",
    "ibu saya stroke lama, perlu fisioterapi di rumah",
    "darah tinggi, perlu kontrol rutin",
    "kontrol gula darah kakek",
    "sering kecelakaan di perempatan ini, minta lampu merah",
    "jalan depan rumah bolong",
    "Kassi-Kassi",
    "batuk berdahak terus dari kemarin",
    "cek darah di puskesmas berapa",
]


@pytest.mark.parametrize("text", ACUTE)
def test_acute_red_flags_are_emergencies(text: str) -> None:
    assert names_a_red_flag(text)


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_or_chronic_wording_is_not(text: str) -> None:
    assert not names_a_red_flag(text)
