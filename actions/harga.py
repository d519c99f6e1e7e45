"""Indonesian price phrases: "50 ribu", "200rb", "1,5 juta", "di bawah", "maksimal", "antara ... sampai ...".

`parse_price_range` returns the bounds it found and the text without the price phrase, so the
rest of the message can be used as search words. Rupiah are written the Indonesian way by
`format_rupiah` (Rp 150.000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"ribu": 1_000, "rb": 1_000, "rbu": 1_000, "k": 1_000, "juta": 1_000_000, "jt": 1_000_000}
# Possessive quantifiers (Python 3.11+) and "not inside a number" lookbehinds: a run of digits is
# tried once, never re-split or re-entered from its middle, so the patterns stay linear
# ("cari keripik harga " + "1" * 4000 took ~5 s with plain `\d+`).
_NUMBER = r"(?:rp\.?\s*)?(?<![\d.,])(\d++(?:[.,]\d++)*+)\s*(ribu|rbu|rb|k|juta|jt)?(?![\w])"
# Nobody writes a price phrase longer than this; the rest of a long message is search words only.
MAX_INPUT_CHARS = 300
_AMOUNT = re.compile(_NUMBER, re.IGNORECASE)
_WORD_AMOUNTS = {
    "seribu": 1_000,
    "sepuluh ribu": 10_000,
    "seratus ribu": 100_000,
    "sejuta": 1_000_000,
    "setengah juta": 500_000,
    "cepek": 100_000,
    "gopek": 500_000,
}

_MAX_WORDS = (
    r"di\s*bawah|kurang\s+dari|maksimal|maksimum|maks\.?|max\.?|paling\s+mahal|tidak\s+lebih\s+dari|"
    r"gak\s+lebih\s+dari|ga\s+lebih\s+dari|budget|budjet|bujet|sampai|hingga|<=?|dibawah|under"
)
_MIN_WORDS = r"di\s*atas|lebih\s+dari|minimal|minimum|min\.?|mulai(?:\s+dari)?|paling\s+murah|>=?|diatas"
_RANGE = re.compile(
    rf"(?:antara|dari|harga)?\s*{_NUMBER}\s*(?:-|–|s/d|sd|sampai|hingga|ke|dan)\s*{_NUMBER}", re.IGNORECASE
)
_BOUNDED = re.compile(rf"(?P<kind>{_MAX_WORDS}|{_MIN_WORDS})\s*(?:harga\s*)?{_NUMBER}", re.IGNORECASE)
_MIN_ONLY = re.compile(rf"^(?:{_MIN_WORDS})$", re.IGNORECASE)
_LOOSE = re.compile(
    r"(?:harga(?:nya)?|seharga|sekitar|kisaran|budget|bujet)?\s*"
    r"(?:rp\.?\s*\d[\d.,]*+|(?<![\d.,])\d++(?:[.,]\d++)?+\s*(?:ribu|rbu|rb|k|juta|jt))(?![\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PriceRange:
    min_price: int | None = None
    max_price: int | None = None

    @property
    def empty(self) -> bool:
        return self.min_price is None and self.max_price is None


def format_rupiah(amount: int) -> str:
    return "Rp " + f"{int(amount):,}".replace(",", ".")


def _to_number(digits: str, unit: str | None) -> float:
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits) and not unit:
        return float(re.sub(r"[.,]", "", digits))  # 150.000 / 150,000: thousands separators
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):
        return float(digits.replace(".", ""))
    return float(digits.replace(",", "."))  # 1,5 juta: decimal comma


def _amount(digits: str, unit: str | None, *, assume_thousands: bool) -> int:
    value = _to_number(digits, unit)
    if unit:
        value *= _UNITS[unit.lower()]
    elif value < 1_000 and assume_thousands:
        # Nothing in a village catalogue costs under Rp 1.000: "di bawah 200" means 200 ribu.
        value *= 1_000
    return round(value)


_DIGIT_WORDS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
}
_NUMBER_WORD = r"(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|belas|puluh|ratus)"
# "seratus lima puluh ribu", "dua juta setengah" is left alone: only spans that end in ribu/juta.
_AMOUNT_WORDS = re.compile(
    rf"\b(?:{_NUMBER_WORD}\s+)*(?:{_NUMBER_WORD}\s+(?:ribu|juta)|seribu|sejuta)\b", re.IGNORECASE
)


def _words_value(phrase: str) -> int:
    """ "seratus lima puluh ribu" -> 150000: "puluh"/"ratus" scale only the digit before them."""
    total = current = last = 0
    for word in phrase.lower().split():
        if word in _DIGIT_WORDS:
            last = _DIGIT_WORDS[word]
            current += last
        elif word == "belas":
            current += 10
        elif word == "puluh":
            current += last * 9
        elif word == "ratus":
            current += last * 99
        elif word in ("ribu", "seribu"):
            total += (current or 1) * 1_000
            current = last = 0
        elif word in ("juta", "sejuta"):
            total += (current or 1) * 1_000_000
            current = last = 0
    return total + current


def _replace_words(text: str) -> str:
    lowered = _AMOUNT_WORDS.sub(lambda m: f"rp {_words_value(m.group(0))}", text)
    for phrase, amount in sorted(_WORD_AMOUNTS.items(), key=lambda kv: -len(kv[0])):
        lowered = re.sub(rf"\b{phrase}\b", str(amount), lowered, flags=re.IGNORECASE)
    return lowered


def parse_price_range(text: str) -> tuple[PriceRange, str]:
    """Find a price bound or range in `text`; returns it and the text without the phrase."""
    text = text[:MAX_INPUT_CHARS]
    work = _replace_words(text)
    match = _RANGE.search(work)
    if match:
        low_digits, low_unit, high_digits, high_unit = match.groups()
        # "antara 50 sampai 100 ribu": the unit written once applies to both ends.
        low_unit = low_unit or high_unit
        low = _amount(low_digits, low_unit, assume_thousands=True)
        high = _amount(high_digits, high_unit, assume_thousands=True)
        if low > high:
            low, high = high, low
        return PriceRange(low, high), _strip(work, match)
    match = _BOUNDED.search(work)
    if match:
        kind = match.group("kind")
        amount = _amount(match.group(2), match.group(3), assume_thousands=True)
        if _MIN_ONLY.match(kind.strip()):
            return PriceRange(min_price=amount), _strip(work, match)
        return PriceRange(max_price=amount), _strip(work, match)
    match = _LOOSE.search(work)
    if match:
        number = _AMOUNT.search(match.group(0))
        if number:
            # A bare price ("kopi 50 ribuan", "budget 100rb") is read as the most they want to pay.
            amount = _amount(number.group(1), number.group(2), assume_thousands=False)
            return PriceRange(max_price=amount), _strip(work, match)
    return PriceRange(), text


def _strip(text: str, match: re.Match[str]) -> str:
    return " ".join((text[: match.start()] + " " + text[match.end() :]).split())
