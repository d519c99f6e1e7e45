"""Reading what a citizen asks: the questions in one message, and follow-ups that lean on the
previous answer ("brp biayanya gan" after an SKCK answer is about SKCK)."""

from __future__ import annotations

import re
from typing import Any

MAX_QUESTIONS = 3
# A follow-up opens with a connective or asks about an aspect without naming the subject.
_FOLLOW_UP = re.compile(
    r"^\s*(kalau|kalo|klo|trus|terus|trs|lalu|nah|oh|oke|ok|itu|yang itu|yg itu|gimana|bagaimana|piye|pripun|"
    r"berapa|brp|biaya|syarat|bisa|bs|dimana|di mana|kapan|lama|jam|harus|perlu|online|bayar|gratis|tarif|harga)\b"
    r"|\b(biaya|syarat|harga|tarif|jam|lama|lokasi|alamat|jadwal)nya\b|^\s*\w+nya\b",
    re.IGNORECASE,
)
_MAX_FOLLOW_UP_WORDS = 7
# "…apa aja? trus biayanya berapa?": split after a question mark, or before "terus/trus/lalu/sama"
# that opens a new question after one already asked.
_SPLIT = re.compile(r"(?<=\?)\s+|\s*[,.;]\s*(?=(?:terus|trus|trs|lalu|sama|dan juga|satu lagi)\b)", re.IGNORECASE)


def questions_in(text: str) -> list[str]:
    """The separate questions in a message, at most three; short fragments stay with their neighbour."""
    parts = [p.strip() for p in _SPLIT.split(text) if p and p.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and len(re.findall(r"\w+", part)) < 2:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged[:MAX_QUESTIONS] or [text]


# Chat fillers that steer a sentence embedding without adding meaning: "kalo imunisasi bayi 2 bulan
# apa aja kak?" matched the section on *late* ("bila … terlambat") immunisation because of "kalo".
_LEADING_FILLER = re.compile(
    r"^\s*((ya ?udah|yaudah|oke|ok|oh|nah|deh|jadi|trus|terus|trs|lalu|kalo|kalau|klo|kl|mau (tanya|nanya|tny))"
    r"\b[\s,.!]*)+",
    re.IGNORECASE,
)
_VOCATIVE = re.compile(r"[\s,]*\b(kak|kk|min|gan|sis|bang|dong|deh|sih|nih|ya|yah)\b(?=[\s,.?!]*($|[,.?!]))", re.I)


def search_text(question: str) -> str:
    """The question without the fillers and forms of address around it."""
    cleaned = _VOCATIVE.sub("", _LEADING_FILLER.sub("", question)).strip(" ,")
    return cleaned if len(re.findall(r"\w+", cleaned)) >= 2 else question


def is_short(text: str) -> bool:
    return len(re.findall(r"\w+", text)) <= _MAX_FOLLOW_UP_WORDS


def is_follow_up(text: str) -> bool:
    return is_short(text) and bool(_FOLLOW_UP.search(text))


def previous_topic(stored: Any) -> dict[str, str] | None:
    """The document the last answer came from (the `jawaban_kandidat` slot's first item)."""
    items = stored.get("items") if isinstance(stored, dict) else None
    if not items or not isinstance(items[0], dict) or not items[0].get("title"):
        return None
    return items[0]


def with_topic(question: str, topic: dict[str, str]) -> str:
    return f"{question} {topic['title']}"
