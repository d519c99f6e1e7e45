"""Starts the real processes (backend, action server, Rasa, gateway) for end-to-end tests."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.city_profiles import office_from_env
from tests.webclient import forget, headers_for

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MODEL = ROOT / "models" / "asisten-kota.tar.gz"
# Every process of `make run`, in start order (the gateway last: it answers only when Rasa does).
ALL_PROCESSES = ["backend", "actions", "rasa", "gateway"]


TEST_NETWORK_LIMITS = {
    "GATEWAY_IP_MESSAGES_PER_MINUTE": "100000",
    "GATEWAY_IP_SESSIONS_PER_HOUR": "100000",
    "GATEWAY_IP_COMPLAINTS_PER_HOUR": "100000",
    "GATEWAY_IP_LOOKUPS_PER_HOUR": "100000",
    "GATEWAY_IP_PHOTOS_PER_HOUR": "100000",
    "GATEWAY_SSE_PER_IP": "1000",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    command: list[str]
    ready_url: str
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


@dataclass
class Stack:
    var_dir: Path
    env: dict[str, str]
    processes: dict[str, Process] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.env['GATEWAY_PORT']}"

    @property
    def backend_url(self) -> str:
        return f"http://127.0.0.1:{self.env['BACKEND_PORT']}"

    def start(self, name: str, timeout: float = 900.0) -> None:
        process = self.processes[name]
        process.start(self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.popen and process.popen.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{process.log_tail()}")
            try:
                if httpx.get(process.ready_url, timeout=2.0).status_code < 300:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} not ready after {timeout:.0f} s:\n{process.log_tail()}")

    def stop(self, name: str) -> None:
        self.processes[name].stop()

    def stop_all(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()


def build_stack(var_dir: Path, extra_env: dict[str, str] | None = None) -> Stack:
    var_dir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("BACKEND_PORT", "ACTION_SERVER_PORT", "RASA_PORT", "GATEWAY_PORT")}
    env = dict(os.environ)
    env.update({key: str(value) for key, value in ports.items()})
    env.update(
        {
            "VAR_DIR": str(var_dir),
            "MEDIA_DIR": str(var_dir / "media"),
            "DATABASE_URL": f"sqlite:///{var_dir / 'backend.db'}",
            "GATEWAY_DATABASE_URL": f"sqlite:///{var_dir / 'gateway.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'tracker.db'}",
            "BACKEND_API_KEY": secrets.token_urlsafe(16),
            "SENDER_ID_KEY": secrets.token_urlsafe(16),
            "NOTIFY_SECRET": secrets.token_urlsafe(16),
            "AGENT_BOOTSTRAP_PASSWORD": secrets.token_urlsafe(16),
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_NOTIFY_URL": f"http://127.0.0.1:{ports['GATEWAY_PORT']}/internal/notify",
            "PYTHONUNBUFFERED": "1",
            # Every test citizen talks from 127.0.0.1: the per-network limits are tested on their
            # own (tests/security/test_web_identity.py) and must not throttle the other tests.
            **TEST_NETWORK_LIMITS,
        }
    )
    # Office hours are city profile data: a test's OFFICE_* values become a profile copy.
    env.update(office_from_env(var_dir, dict(extra_env or {})))
    logs = var_dir / "logs"
    logs.mkdir(exist_ok=True)
    stack = Stack(var_dir=var_dir, env=env)
    p = ports
    stack.processes = {
        "backend": Process(
            "backend",
            [PY, "-m", "citybot.backend", "serve", "--host", "127.0.0.1", "--port", str(p["BACKEND_PORT"])],
            f"http://127.0.0.1:{p['BACKEND_PORT']}/ready",
            logs / "backend.log",
        ),
        "actions": Process(
            "actions",
            [PY, "-m", "citybot.cli", "actions"],
            f"http://127.0.0.1:{p['ACTION_SERVER_PORT']}/health",
            logs / "actions.log",
        ),
        "rasa": Process(
            "rasa",
            [PY, "-m", "citybot.cli", "rasa"],
            f"http://127.0.0.1:{p['RASA_PORT']}/",
            logs / "rasa.log",
        ),
        "gateway": Process(
            "gateway",
            [PY, "-m", "citybot.gateway"],
            f"http://127.0.0.1:{p['GATEWAY_PORT']}/healthz",
            logs / "gateway.log",
        ),
    }
    return stack


@contextmanager
def running_stack(var_dir: Path, names: list[str], extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    if not MODEL.exists():
        raise RuntimeError("no trained model: run `make train` (make test does it)")
    stack = build_stack(var_dir, extra_env)
    try:
        if "backend" in names:
            for step in ("migrate", "seed"):
                subprocess.run([PY, "-m", "citybot.backend", step], cwd=ROOT, env=stack.env, check=True)
        for name in names:
            stack.start(name)
        yield stack
    finally:
        stack.stop_all()


def say(
    stack: Stack | str, client: str, text: str | None = None, payload: str | None = None, timeout: float = 90
) -> list[dict[str, Any]]:
    """One web-chat turn through the real gateway (a stack or its URL) as the test's citizen
    `client` (a name: `tests.webclient` maps it to a gateway-issued id); returns its replies."""
    base = stack.gateway_url if isinstance(stack, Stack) else stack
    body: dict[str, str] = {}
    if text is not None:
        body["text"] = text
    if payload is not None:
        body["payload"] = payload
    response = httpx.post(f"{base}/api/messages", json=body, headers=headers_for(base, client), timeout=timeout)
    if response.status_code == 401:  # a new gateway on a port an earlier one used: new id
        forget(base, client)
        response = httpx.post(f"{base}/api/messages", json=body, headers=headers_for(base, client), timeout=timeout)
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    replies = response.json()["replies"]
    assert isinstance(replies, list)
    return replies


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def buttons_of(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for r in replies for b in (r.get("buttons") or [])]
