"""The real thing: CLI migrate/seed on a fresh SQLite file, `serve` under uvicorn, OpenAPI at /docs,
and the outbox dispatcher running in the background of the serve process."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from citybot import signing
from citybot.client import CityClient
from tests.backend.conftest import API_KEY, BOOTSTRAP_PASSWORD, NOTIFY_SECRET, Receiver
from tests.backend.helpers import file_complaint, unique

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "citybot.backend", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def server_env(tmp_path: Path, receiver: Receiver) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'backend.db'}",
        "BACKEND_API_KEY": API_KEY,
        "NOTIFY_SECRET": NOTIFY_SECRET,
        "AGENT_BOOTSTRAP_PASSWORD": BOOTSTRAP_PASSWORD,
        "GATEWAY_NOTIFY_URL": receiver.url,
        "OUTBOX_POLL_SECONDS": "0.2",
    }


@pytest.fixture
def server(server_env: dict[str, str]) -> Iterator[str]:
    run_cli(server_env, "migrate")
    first = run_cli(server_env, "seed")
    second = run_cli(server_env, "seed")
    assert "complaints=16" in first and "products=45" in first
    assert "complaints=0, slots=0, products=0, permits=0" in second  # idempotent
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "citybot.backend",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            proc.kill()
            raise AssertionError(proc.stdout.read().decode() if proc.stdout else "server did not start")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_serve_refuses_to_start_without_an_api_key(server_env: dict[str, str]) -> None:
    env = {**server_env, "BACKEND_API_KEY": ""}
    done = subprocess.run(
        [sys.executable, "-m", "citybot.backend", "serve", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "BACKEND_API_KEY" in done.stderr


async def test_served_backend_documents_its_api_and_pushes_status_events(server: str, receiver: Receiver) -> None:
    async with httpx.AsyncClient(base_url=server) as raw:
        docs = await raw.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        spec = (await raw.get("/openapi.json")).json()
        assert "/open311/v2/requests.json" in spec["paths"] and "/api/v1/homecare/bookings" in spec["paths"]
    reporter = unique("tg")
    async with CityClient(server, API_KEY) as city:
        complaint = await file_complaint(city, address=reporter)
        token = (await city.agent_login("supervisor", BOOTSTRAP_PASSWORD)).token
        await city.agent_change_status(token, complaint.ticket, status="koordinasi", note="Diteruskan ke Bina Marga.")
    for _ in range(150):  # up to 15 s
        if receiver.received:
            break
        await asyncio.sleep(0.1)
    assert receiver.received, "the background dispatcher delivered nothing"
    headers, body = receiver.received[0]
    assert signing.verify(NOTIFY_SECRET, "POST", "/internal/notify", body, headers["x-citybot-signature"])
    event = json.loads(body)
    assert (event["ticket"], event["status"], event["address"]) == (complaint.ticket, "koordinasi", reporter)
