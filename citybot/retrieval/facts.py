"""Checks that keep citizens from acting on stale or contradictory facts.

* ``review_age_issue``: a document last checked by a person longer ago than the allowed age.
* ``passed_dates``: a forward-looking date ("sampai Oktober 2026") that is already behind us.
* ``figure_conflicts``: one figure (a rupiah amount or a long phone number) written with
  different values in two files for the same thing.

What counts as "the same thing" is deliberately narrow, because a conflict is an error that
stops the index build and a false alarm would block every editor:

1. A figure is ``Rp<number>`` (with ``ribu``/``juta``/``miliar``) or a phone number long enough
   to be unambiguous (``1500-xxx``, ``14xxx``, ``0…``/``+62…`` with 9+ digits). Three-digit
   emergency codes (112, 119 …) are not compared: they come from settings and national rules.
2. Its label is the two words written right before it in the same clause, skipping small words
   ("sekitar", "sampai", "hubungi" …); a figure right after ``label:`` takes the words before the
   colon. A clause ends at ``. ; , ( )``, a line start or another figure.
3. The label must name something: one of its words is an acronym/roman numeral (SKCK, III) or is
   capitalised in the middle of a sentence (TransJakarta, Kemenkes). "Tarif umum" names nothing
   on its own (every transport document has one) and is never compared.
4. A figure written as a bound or an estimate ("di atas Rp10 juta", "sampai Rp100 juta",
   "paling banyak", "sekitar") is not compared: ranges and caps are cut differently per context.
5. Same label, different normalised value, two different files -> error where the later one is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "desember": 12,
    "des": 12,
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# Words that announce a deadline or an end; "sejak"/"mulai" look back or forward and are not
# deadlines, so "wajib sejak 18 Oktober 2026" stays quiet.
_CUE_RE = r"(?:sampai|hingga|s\.\s?d\.?|s/d|paling lambat|selambat-lambatnya|batas akhir|batas waktu|tenggat|deadline)"
_FILLER_RE = r"(?:\s+(?:dengan|akhir|tanggal|tgl\.?|bulan|tahun))*"
PASSED_RE = re.compile(
    rf"\b{_CUE_RE}{_FILLER_RE}\s+(?:(?P<day>\d{{1,2}})\s+)?(?P<month>{_MONTH_RE})\.?\s+(?P<year>20\d\d)\b"
    rf"|\b{_CUE_RE}{_FILLER_RE}\s+(?P<iso>20\d\d-\d\d-\d\d)\b"
    rf"|\b{_CUE_RE}\s+(?:akhir\s+)?(?:tahun\s+)?(?P<yonly>20\d\d)\b(?![-/])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    path: Path
    line: int
    label: str  # normalised, e.g. "penerbitan skck"
    value: str  # normalised, e.g. "30000" or "1500102"
    shown: str  # as written, e.g. "Rp30.000"


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_stale(reviewed: dt.date, today: dt.date, max_age_months: int) -> bool:
    return add_months(reviewed, max_age_months) < today


def passed_dates(text: str, today: dt.date) -> list[tuple[int, str]]:
    """(0-based line, phrase) for each deadline phrase whose date (end of the month or year
    when no day is written) lies before today."""
    found: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines()):
        for m in PASSED_RE.finditer(line):
            try:
                if m.group("iso"):
                    when = dt.date.fromisoformat(m.group("iso"))
                elif m.group("yonly"):
                    when = dt.date(int(m.group("yonly")), 12, 31)
                else:
                    year, month = int(m.group("year")), MONTHS[m.group("month").lower()]
                    day = int(m.group("day") or calendar.monthrange(year, month)[1])
                    when = dt.date(year, month, day)
            except ValueError:
                continue
            if when < today:
                found.append((n, m.group(0)))
    return found


_MONEY = r"Rp\s?\d[\d.]*(?:,\d+)?(?:\s(?:ribu|juta|miliar))?"
_PHONE = r"(?:\+62|\b0)\d{2,4}[- ]?\d{3,4}[- ]?\d{3,5}\b|\b1500[- ]?\d{3}\b|\b14\d{3}\b(?![/.,]\d)"
FIGURE_RE = re.compile(rf"(?P<money>{_MONEY})|(?P<phone>{_PHONE})")
_STOP = set(
    """
sekitar sebesar mulai sampai hingga paling tinggi banyak maksimal minimal maks min kurang lebih
di atas bawah dan atau ke lewat via hubungi telepon telp tel nomor no yang untuk dengan dari per
adalah yaitu ialah sebanyak senilai seharga hanya cukup bayar membayar dibayar dikenai kena
ini itu juga saja tetap pun baru bisa dapat akan sudah rp sms wa whatsapp
""".split()
)
_BOUND_RE = re.compile(
    r"\b(?:di atas|di bawah|lebih dari|kurang dari|mulai|sekitar|kira-kira|sampai|hingga|"
    r"maksimal|minimal|maks|min|paling banyak|paling tinggi|paling sedikit|paling rendah)$"
)
_MULT = {"ribu": 1_000, "juta": 1_000_000, "miliar": 1_000_000_000}


def _money_value(shown: str) -> str:
    m = re.match(r"Rp\s?([\d.]+)(?:,(\d+))?(?:\s(ribu|juta|miliar))?", shown)
    if not m:
        return shown
    whole = m.group(1).rstrip(".").replace(".", "")
    amount = float(f"{whole}.{m.group(2)}") if m.group(2) else float(whole or 0)
    return str(round(amount * _MULT.get(m.group(3) or "", 1)))


def _phone_value(shown: str) -> str:
    digits = re.sub(r"\D", "", shown)
    return "0" + digits[2:] if digits.startswith("62") else digits


def _label(before: str) -> str:
    """Two content words before a figure, lower-cased; '' when they name nothing."""
    colon = re.search(r"([^:]*):\s*$", before)
    clause = colon.group(1) if colon else before
    clause = re.split(r"[.;,()!?]|\bRp\s?\d[\d.]*|\d", clause)[-1]
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", clause)
    kept: list[tuple[str, bool]] = []
    for i, w in enumerate(words):
        if w.lower() in _STOP:
            continue
        # The clause's first word may be capitalised only because a sentence starts there.
        named = (w.isupper() and len(w) >= 2) or (i > 0 and any(c.isupper() for c in w))
        kept.append((w.lower(), named))
    last = kept[-2:]
    if len(last) < 2 or not any(named for _, named in last):
        return ""
    return " ".join(w for w, _ in last)


def figures(path: Path, text: str, first_line: int = 1) -> list[Figure]:
    out: list[Figure] = []
    for n, line in enumerate(text.splitlines()):
        for m in FIGURE_RE.finditer(line):
            before = line[: m.start()]
            if _BOUND_RE.search(" ".join(re.findall(r"[a-z-]+", before.lower())[-2:])):
                continue
            label = _label(before)
            if not label:
                continue
            shown = m.group(0)
            value = _money_value(shown) if m.group("money") else _phone_value(shown)
            out.append(Figure(path, first_line + n, label, value, shown))
    return out


def figure_conflicts(found: list[Figure]) -> list[tuple[Figure, Figure]]:
    """Pairs (first seen, later) of one label with two values in two different files."""
    first: dict[str, Figure] = {}
    pairs: list[tuple[Figure, Figure]] = []
    for f in found:
        seen = first.setdefault(f.label, f)
        if seen.path != f.path and seen.value != f.value:
            pairs.append((seen, f))
    return pairs
