"""Reading citizens' short answers: yes or no, "batal", phone numbers."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import phonenumbers

# One word list for every yes/no question. Only the first word counts ("gak mau" is no), and no
# word is in both lists, so the order of the checks does not matter.
_YES = re.compile(
    r"^(ya+|iya+|y|yes|ada|betul|benar|bener|iye|iyo|ho oh|ok|oke|boleh|setuju|mau|dukung)\b", re.IGNORECASE
)
_NO = re.compile(r"^(tidak|tdk|gak|ga|nggak|ngga|enggak|engga|ndak|nda|no|bukan|belum|jangan)\b", re.IGNORECASE)
_CANCEL = re.compile(
    r"(saya\s+|aku\s+)?(batal(kan|in)?|cancel|stop|berhenti|(ga|gak|gk|nggak|ngga|enggak|tidak|tdk|ndak)\s*jadi)"
    r"(\s+(aja|saja|deh|dulu|ya|kak|min|pesan|pesannya|pesanan|booking|bookingnya|homecare|kunjungan))*"
)
PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?62|0)[\s.-]?8(?:[\s.-]?\d){7,12}(?!\d)")
INDONESIA = 62


def yes_no(value: Any, intent: str, yes_intents: Collection[str] = ("ya",)) -> bool | None:
    """True/False for a yes-no answer typed or clicked; None when it is neither."""
    if isinstance(value, bool):
        return value
    if intent in yes_intents:
        return True
    if intent == "tidak":
        return False
    text = str(value or "").strip()
    if _NO.match(text):
        return False
    if _YES.match(text):
        return True
    return None


def wants_to_cancel(text: str) -> bool:
    """Only a message that is nothing but "batal" / "gak jadi deh": a complaint such as
    "batuk, ga jadi sembuh" must stay a complaint."""
    return _CANCEL.fullmatch(" ".join(text.lower().split()).strip(" .!")) is not None


def parse_phone(text: str) -> str | None:
    """An Indonesian number written as 08..., 628... or +628... (spaces, dots and dashes allowed),
    as E.164 ("+6281234567890"); None for anything else."""
    try:
        number = phonenumbers.parse(re.sub(r"[^\d+]", "", text), "ID")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != INDONESIA or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_in(text: str) -> str | None:
    """An Indonesian mobile number written anywhere in the text, as E.164."""
    match = PHONE_IN_TEXT.search(text)
    return parse_phone(match.group(0)) if match else None
