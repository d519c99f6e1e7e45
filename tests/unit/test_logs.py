"""Structured logs in a real process: JSON lines with time, level, process, request and
conversation id, masked; LOG_FORMAT=text gives people the same fields on one line."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from citybot.settings import ROOT

SCRIPT = """
import logging
from citybot import logs
from citybot.settings import get_settings
logs.configure("uji", get_settings().log_format)
logs.request_id.set("req-123")
logs.conversation_id.set("abc123hash")
log = logging.getLogger("citybot.uji")
log.info("warga minta ditelepon di %s, NIK %s", "0812-3456-7890", "3171234567890001")
try:
    raise ValueError("nomor +6281234567890 salah")
except ValueError:
    log.exception("gagal")
logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/x", "1.1", 200)
"""


def run(log_format: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LOG_FORMAT": log_format, "HOME": "/tmp"},
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


def test_every_line_is_json_with_the_operators_fields_and_masked() -> None:
    lines = run("json")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(records) == 3
    for record in records:
        assert {"time", "level", "process", "request_id", "conversation_id", "message"} <= record.keys()
        assert dt.datetime.fromisoformat(record["time"]).utcoffset() == dt.timedelta(0)
        assert record["process"] == "uji" and record["request_id"] == "req-123"
        assert record["conversation_id"] == "abc123hash"
    info, error, access = records
    assert info["level"] == "INFO" and info["logger"] == "citybot.uji"
    assert "0812" in info["message"] and "3456-7890" not in info["message"]  # phone masked
    assert "3171234567890001" not in info["message"]  # NIK masked
    assert error["level"] == "ERROR" and "ValueError" in error["exception"]
    assert "81234567890" not in error["exception"]  # the traceback is masked too
    assert access["logger"] == "uvicorn.access" and "GET" in access["message"]  # library lines too
    assert "3456-7890" not in "\n".join(lines)


def test_text_format_is_for_people_with_the_same_fields() -> None:
    lines = run("text")
    assert not lines[0].startswith("{")
    assert " INFO " in lines[0] and " uji citybot.uji: " in lines[0] and "request_id=req-123" in lines[0]
    assert "3456-7890" not in "\n".join(lines)
