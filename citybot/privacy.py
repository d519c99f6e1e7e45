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
from typing import Any

# A NIK is exactly 16 digits; any longer run of digits is something else (e.g. a timestamp).
_NIK = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
# Indonesian numbers the way they reach a log: 0812..., 62812..., +62 812-..., %2B62812...
# (URL-encoded in access logs), and +62 21 ... landlines with the country code.
_PHONE = re.compile(
    r"(?<![0-9])(?:(?:\+|%2[Bb])?62[\s.-]?|0)(?:8[0-9]{1,3}|\(?[1-9][0-9]{1,2}\)?)(?:[\s.-]?[0-9]{2,5}){2,4}(?![0-9])"
)
_MASK = "*"


def mask_nik(nik: str) -> str:
    """Keep the 4-digit province and regency code, which identifies no one."""
    digits = re.sub(r"[^0-9]", "", nik)
    if len(digits) != 16:
        return _MASK * len(nik)
    return digits[:4] + _MASK * 12


def mask_phone(phone: str) -> str:
    """Keep the country/operator prefix; every later digit becomes `*` (separators are kept)."""
    out: list[str] = []
    kept = 0
    for char in phone:
        if char.isdigit():
            kept += 1
            out.append(char if kept <= 4 else _MASK)
        else:
            out.append(char)
    return "".join(out)


_GROUP_START = re.compile(r"(?=[\s.-][0-9(])")


def _phone_like(match: re.Match[str]) -> str:
    text = match.group()
    escape = ""
    if text[:3].upper() == "%2B":  # keep the URL escape intact so the line stays readable
        escape, text = text[:3], text[3:]
    # The pattern may run on into a neighbouring number ("0812... 3174..."): take whole digit
    # groups while the count still fits a phone number, and look at the rest on its own.
    head, digits = "", 0
    groups = _GROUP_START.split(text)
    for i, group in enumerate(groups):
        count = sum(c.isdigit() for c in group)
        if digits + count > 15 and digits:
            return escape + _mask_number(head) + mask_text("".join(groups[i:]))
        head, digits = head + group, digits + count
    return escape + _mask_number(head)


def _mask_number(text: str) -> str:
    # Indonesian numbers have 9-15 digits counting the 62/0 prefix; shorter runs are dates, ids...
    return mask_phone(text) if 9 <= sum(c.isdigit() for c in text) <= 15 else text


def mask_text(text: str) -> str:
    """Mask every NIK and Indonesian phone number found in free text."""
    if not any(c.isdigit() for c in text):
        return text
    text = _NIK.sub(lambda m: mask_nik(m.group()), text)
    return _PHONE.sub(_phone_like, text)


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
