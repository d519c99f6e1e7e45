"""Acute red-flag wording that always means an emergency (used by `red_flags.RedFlagEmergency`).

Standard library only, so the app environment's tests can check it without Rasa.
"""

from __future__ import annotations

import re

EMERGENCY_INTENT = "darurat"
_NOW = r"(barusan|baru saja|mendadak|tiba[- ]?tiba|tiba2|sekarang|tadi)"
RED_FLAGS = re.compile(
    "|".join(
        [
            r"\bpingsan\b",
            r"\b(tidak|tak|gak|ga|nggak|ngga) sadar(kan diri)?\b",
            r"\bsesak (napas|nafas)\b",
            r"\b(nyeri|sakit) dada\b",
            r"\bdada\b.{0,20}\b(sakit|nyeri|ditekan|ditindih)\b",
            r"\bkejang",
            r"\b(henti|serangan) jantung\b",
            r"\b(tidak|gak|ga|nggak|berhenti) (bernapas|bernafas|napas|nafas)\b",
            r"\b(perdarahan|pendarahan)\b",
            r"\bdarah(nya)?\b.{0,20}\b(banyak|ngucur|mengucur|deras|(tidak|gak|ga|nggak) berhenti)\b",
            r"\btenggelam\b",
            r"\b(overdosis|keracunan|minum racun)\b",
            r"\bdigigit ular\b",
            rf"\bstroke\b.{{0,25}}\b{_NOW}\b|\b{_NOW}\b.{{0,25}}\bstroke\b",
            r"\b(wajah|muka)(nya)?( \w+)? (mencong|miring|perot)\b|\bbicara(nya)? (pelo|cadel)\b",
            r"\b(kecelakaan|tabrakan|ditabrak|ketabrak|kelindas|terlindas)\b.{0,40}\b(luka|darah|berdarah|korban|sadar|parah|patah)\b",
        ]
    ),
    re.IGNORECASE,
)


def names_a_red_flag(text: str) -> bool:
    return bool(RED_FLAGS.search(" ".join(text.split())))
