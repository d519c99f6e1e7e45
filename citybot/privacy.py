"""Masking of personal data (NIK, Indonesian phone numbers) in anything a process logs.

Stored records keep the full values (agents and the citizen's own data export need them); logs,
tracebacks and access lines must not carry them. `install_log_masking()` is called once at the
start of every process we run (backend, gateway, action server): it swaps the process-wide log
record factory, so every record is masked when it is created, whichever library logs it and
whichever handler later writes it (uvicorn access lines included, URL-encoded numbers too).

Standard library only, so any interpreter that can import `citybot` can use it.
"""

from __future__ import annotations

import logging
import re
import traceback
import unicodedata
from typing import Any

_MASK = "*"
# A run of digits as people and URLs write numbers: groups of any Unicode decimal digits
# (fullwidth "０８１２" too) joined by single short separators (spaces, dots, dashes of every
# kind, brackets), optionally after "+" or a URL-encoded "%2B". The separator class and the digit
# class are disjoint, so the pattern is linear on any input.
_SEP = r"[\s.\-\u2010-\u2015\u2212\uff0d()\uff08\uff09]"
_RUN = re.compile(rf"(?<!\d)(?:%2[Bb]|[+\uff0b])?\d+(?:{_SEP}{{1,3}}\d+)*")
_GROUP = re.compile(r"\d+")
_NIK_DIGITS = 16
_PHONE_DIGITS = range(9, 16)  # Indonesian numbers: 9-15 digits counting the 62/0 prefix


def _digits(text: str) -> str:
    """ASCII digits of any Unicode decimal digits (fullwidth, Arabic-Indic ...)."""
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdecimal())


def mask_nik(nik: str) -> str:
    """Keep the 4-digit province and regency code, which identifies no one."""
    digits = _digits(nik)
    if len(digits) != _NIK_DIGITS:
        return _MASK * len(nik)
    return digits[:4] + _MASK * 12


def mask_phone(phone: str) -> str:
    """Keep the country/operator prefix; every later digit becomes `*` (separators are kept)."""
    return _mask_after(phone, 4)


def _mask_after(text: str, keep: int) -> str:
    out: list[str] = []
    kept = 0
    for char in text:
        if char.isdecimal():
            kept += 1
            out.append(char if kept <= keep else _MASK)
        else:
            out.append(char)
    return "".join(out)


def _phone_start(digits: str, signed: bool) -> bool:
    # 08.. mobile, 0[1-9].. landline area code, 62.. country code; "00..." is an id, not a number.
    return signed or digits.startswith("62") or (len(digits) > 1 and digits[0] == "0" and digits[1] != "0")


def _mask_run(match: re.Match[str]) -> str:
    text = match.group()
    lead = 3 if text[:3].upper() == "%2B" else (1 if text[:1] in "+\uff0b" else 0)
    spans = [(m.start(), m.end(), _digits(m.group())) for m in _GROUP.finditer(text, lead)]
    chars = list(text)
    i = 0
    while i < len(spans):
        end = _window(spans, i, signed=(i == 0 and lead > 0))
        if end is None:
            i += 1
            continue
        start_at, stop_at = spans[i][0], spans[end - 1][1]
        # A NIK keeps its region code, a phone number its operator prefix: four digits either way.
        chars[start_at:stop_at] = _mask_after(text[start_at:stop_at], 4)
        i = end
    return "".join(chars)


def _window(spans: list[tuple[int, int, str]], i: int, signed: bool) -> int | None:
    """End (exclusive) of the groups from `i` that form a NIK or a phone number, if any.

    A run may join several numbers ("0812 3456 7890 3174..."): whole groups are taken while the
    count still fits, a NIK (exactly 16 digits, never starting with 0) before a phone number.
    """
    first = spans[i][2]
    total, phone_end = 0, None
    for j in range(i, len(spans)):
        total += len(spans[j][2])
        if total == _NIK_DIGITS and first[0] != "0" and not signed:
            return j + 1
        if total in _PHONE_DIGITS and _phone_start(first, signed):
            phone_end = j + 1
        if total > _NIK_DIGITS:
            break
    return phone_end


def mask_text(text: str) -> str:
    """Mask every NIK and Indonesian phone number found in free text, however it is written."""
    if not any(c.isdecimal() for c in text):
        return text
    return _RUN.sub(_mask_run, text)


def _needs_rendering(value: Any) -> bool:
    """A number that reads as a NIK or phone number cannot be masked without becoming a string."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10**8:
        return mask_text(str(value)) != str(value)
    return False


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask a record in place: message template, each argument, and any exception text.

    Arguments are masked one by one (not the rendered line), so formatters that read
    `record.args` (uvicorn's access formatter) keep working.
    """
    if isinstance(record.msg, str):
        record.msg = mask_text(record.msg)
    elif record.msg is not None and not isinstance(record.msg, (int, float)):
        record.msg = mask_text(str(record.msg))
    args = record.args
    values = list(args.values()) if isinstance(args, dict) else list(args or ())
    if any(_needs_rendering(v) for v in values):
        # Render once and mask the whole line; %d would not accept a masked string.
        record.msg, record.args = mask_text(record.getMessage()), ()
    elif isinstance(args, tuple):
        record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in args)
    elif isinstance(args, dict):
        record.args = {k: mask_text(v) if isinstance(v, str) else v for k, v in args.items()}
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Formatters reuse `exc_text` when set, so the traceback is rendered once, masked.
        record.exc_text = mask_text("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    return record


class MaskingFilter(logging.Filter):
    """For handlers or loggers configured by hand; `install_log_masking` covers the process."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_installed = False


def install_log_masking() -> None:
    """Mask every log record this process creates from now on (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


# --- free text kept for insight (conversation signals) -------------------------------------
# Signals keep what a citizen asked, so editors see the questions, never who asked: besides NIK
# and phone numbers, the names people introduce themselves with and e-mail addresses go too.
_STOPS = (
    r"(?:mau|ingin|pengen|pgn|mo|dari|dr|warga|tinggal|di|yang|yg|dan|mohon|minta|tanya|nanya|izin|ijin|"
    r"ini|itu|umur|usia|alamat|rumah|kelurahan|kel|kecamatan|kec|rt|rw|no|nomor|hp|wa|ktp|nik|anak|istri|"
    r"suami|keluarga|teman|adalah|sudah|udah|belum|blm|lagi|sedang|punya|kok|kan|sih|ya|min|admin|kak|pak|bu|"
    r"gimana|gmn|bgmn|bagaimana|apa|apakah|knp|kenapa|mengapa|kapan|dimana|berapa|brp|cara|caranya|bisa|"
    r"boleh|soal|tentang|perihal|mengenai|tolong|mohon|terima|makasih|untuk|utk|buat|bikin|ngurus|urus|"
    r"mengurus|daftar|lapor|melapor|ngadu|butuh|perlu|sebagai|selaku|tidak|tdk|gak|ga|nggak|enggak)"
)
_NAME_WORD = rf"(?!{_STOPS}\b)[^\W\d_][\w'.-]*"
_NAMES = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"
_HONORIFIC = r"(?:pak|bu|bapak|ibu|mas|mbak|mba|kak|bang|abang|om|tante|bpk|ibuk)\.?"
_SELF = r"(?:saya|sy|aku|gue|gw|ane)"
NAME_PATTERNS = (
    re.compile(rf"\bnama\s*(?:lengkap\s*)?(?:{_SELF}|ku|q)\b\s*(?:adalah|ialah|:)?\s*{_NAMES}", re.IGNORECASE),
    re.compile(rf"\b(?:perkenalkan|kenalkan|kenalin)\s*,?\s*(?:nama\s+)?{_SELF}\s+{_NAMES}", re.IGNORECASE),
    re.compile(rf"\b(?:{_SELF}|ini)\s+(?:dengan\s+)?{_HONORIFIC}\s+{_NAMES}", re.IGNORECASE),
    re.compile(rf"\b(?:{_SELF}|ini)\s+dengan\s+{_NAMES}", re.IGNORECASE),
    re.compile(rf"\batas\s+nama\s+{_NAMES}", re.IGNORECASE),
)
NAME_MASK = "[nama]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_names(text: str) -> str:
    """Replace self-introductions ("nama saya Budi", "saya Pak Budi") with `[nama]`."""
    for pattern in NAME_PATTERNS:
        text = pattern.sub(NAME_MASK, text)
    return text


def mask_personal(text: str) -> str:
    """What insight may keep of a citizen's message: no NIK, phone number, e-mail or own name."""
    return mask_names(_EMAIL.sub("[email]", mask_text(text)))
