"""Mask NIK (16 digits) and phone numbers in log lines; stored history stays complete for agents."""

from __future__ import annotations

import logging
import re

_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
# Indonesian mobile numbers in the shapes people type them: 0812..., 62812..., +62 812-...
_PHONE = re.compile(r"(?<![\w])(?:\+?62|0)[\s.-]?8\d{1,3}(?:[\s.-]?\d{2,4}){2,4}(?!\d)")


def mask(text: str) -> str:
    text = _NIK.sub(lambda m: m.group()[:4] + "*" * 12, text)
    return _PHONE.sub(lambda m: m.group()[:4] + "****", text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def get_logger(name: str) -> logging.Logger:
    """A module logger whose records are masked (filters on a logger do not reach its children)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, MaskingFilter) for f in logger.filters):
        logger.addFilter(MaskingFilter())
    return logger
