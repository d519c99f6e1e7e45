"""The whole stack as `make run` starts it: the start-up wait reports ready, and a city closed
day reaches the citizen as "outside working hours" instead of a promised agent."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.stack import ALL_PROCESSES, ROOT, Stack, running_stack, say, text_of

pytestmark = pytest.mark.e2e


def wait_ready(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citybot.cli", "wait-ready", *args],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_full_stack_ready_and_no_agent_promised_on_a_closed_day(tmp_path: Path) -> None:
    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    closed = {
        "OFFICE_HOURS": "00:00-23:59",
        "OFFICE_DAYS": "1-7",
        "OFFICE_CLOSED_DATES": today.isoformat(),
        "OFFICE_HOLIDAY_COUNTRY": "",
    }
    with running_stack(tmp_path, ALL_PROCESSES, closed) as stack:
        result = wait_ready(stack, "--timeout", "60")
        assert result.returncode == 0, result.stderr
        assert "siap" in result.stdout
        assert httpx.get(f"{stack.backend_url}/ready", timeout=10).json()["status"] == "ready"

        say(stack, "libur", "halo")
        text = text_of(say(stack, "libur", "mau bicara dengan petugas"))
        assert "di luar jam kerja" in text and "pukul 00.00" in text, text
        assert "teruskan ke petugas" not in text, text

        stack.stop("rasa")
        ready = httpx.get(f"{stack.gateway_url}/ready", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"]["rasa"] == "no Rasa server answers"
        result = wait_ready(stack, "--timeout", "3", "--only", "rasa 1", "--only", "gateway")
        assert result.returncode == 1
        assert "rasa 1:" in result.stderr and "no Rasa server answers" in result.stderr, result.stderr
