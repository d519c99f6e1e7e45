"""The shared masking helper: NIK and Indonesian phone numbers never reach a log line."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from citybot.privacy import MaskingFilter, mask_nik, mask_phone, mask_text

NIK = "3174051203850007"


def test_mask_nik_keeps_only_the_region_code() -> None:
    assert mask_nik(NIK) == "3174" + "*" * 12
    assert NIK not in mask_text(f"NIK saya {NIK}, tolong dicek")


@pytest.mark.parametrize(
    "phone",
    ["081234567890", "+6281234567890", "6281234567890", "+62 812-3456-7890", "0812 3456 7890", "0857.1234.5678"],
)
def test_every_common_shape_of_an_indonesian_mobile_number_is_masked(phone: str) -> None:
    masked = mask_text(f"hubungi {phone} ya")
    digits = "".join(c for c in phone if c.isdigit())
    assert digits[-6:] not in "".join(c for c in masked if c.isdigit())
    assert "*" in masked


def test_url_encoded_number_in_an_access_log_line_is_masked() -> None:
    line = '127.0.0.1:5 - "GET /api/complaints?channel=whatsapp&address=%2B6281234567890 HTTP/1.1" 200'
    assert "81234567890" not in mask_text(line)
    assert "HTTP/1.1" in mask_text(line)


@pytest.mark.parametrize(
    "harmless",
    ["2026-11-27 20:07:01,123", "127.0.0.1:8000", "JKL-2026-000123", "HC-7KQ2MX", "took 1234 ms", "lat -6.2088"],
)
def test_ordinary_numbers_are_left_alone(harmless: str) -> None:
    assert mask_text(harmless) == harmless


def test_mask_phone_keeps_separators_and_prefix() -> None:
    assert mask_phone("0812-3456-7890") == "0812-****-****"


def test_filter_masks_arguments_numbers_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.privacy.filter")
    logger.addFilter(MaskingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="test.privacy.filter"):
            logger.info("warga %s nik %d status %d", "081234567890", int(NIK), 200)
            try:
                raise ValueError(f"bad nik {NIK}")
            except ValueError:
                logger.exception("failed")
    finally:
        logger.filters.clear()
    text = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert "081234567890" not in text and NIK not in text
    assert "status 200" in text


def test_install_masks_every_logger_of_the_process() -> None:
    """Run in a fresh interpreter: uvicorn-style access records keep their argument tuple."""
    code = f"""
import logging, sys
from citybot.privacy import install_log_masking
install_log_masking()
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(name)s %(message)s")
logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET",
    "/api/complaints?address=%2B6281234567890", "1.1", 200)
logging.getLogger("any.library").warning("nik {NIK} telp 0812-3456-7890")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "6281234567890" not in out and NIK not in out and "3456-7890" not in out
    assert '"GET /api/complaints?address=%2B6281' in out and "200" in out
