"""Liveness and readiness of the real processes, and the start-up wait that reads them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.gateway.conftest import Gateway
from tests.stack import PY, ROOT, Stack, build_stack


def wait_answering(url: str, timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def wait_ready(stack: Stack, timeout: float = 6) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citybot.cli", "wait-ready", "--timeout", str(timeout)],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backend_is_alive_but_not_ready_until_migrated(tmp_path: Path) -> None:
    stack = build_stack(tmp_path)
    backend = stack.processes["backend"]
    try:
        backend.start(stack.env)
        base = stack.backend_url
        assert wait_answering(f"{base}/health").status_code == 200
        ready = httpx.get(f"{base}/ready", timeout=5)
        assert ready.status_code == 503, ready.text
        assert "not migrated" in ready.json()["checks"]["database"]

        # The start-up wait names the process and the reason (it once took the backend's 404 at
        # /healthz for "ready"), and every process that does not answer at all.
        result = wait_ready(stack)
        assert result.returncode == 1
        lines = {line.split(":", 1)[0].strip(): line for line in result.stderr.splitlines() if ":" in line}
        assert "not migrated" in lines["backend"], result.stderr
        assert {"action server", "rasa 1", "gateway"} <= set(lines), result.stderr

        subprocess.run([PY, "-m", "citybot.backend", "migrate"], cwd=ROOT, env=stack.env, check=True)
        ready = httpx.get(f"{base}/ready", timeout=5)
        assert ready.status_code == 200 and ready.json() == {"status": "ready", "checks": {"database": "ok"}}
    finally:
        stack.stop_all()


def test_action_server_readiness_needs_the_index_and_the_backend(tmp_path: Path) -> None:
    stack = build_stack(tmp_path, {"INDEX_DIR": str(tmp_path / "no-index")})
    try:
        subprocess.run([PY, "-m", "citybot.backend", "migrate"], cwd=ROOT, env=stack.env, check=True)
        stack.start("backend")
        actions = stack.processes["actions"]
        actions.start(stack.env)
        wait_answering(f"http://127.0.0.1:{stack.env['ACTION_SERVER_PORT']}/health")
        result = wait_ready(stack)
        assert result.returncode == 1
        lines = {line.split(":", 1)[0].strip(): line for line in result.stderr.splitlines() if ":" in line}
        assert "backend" not in lines, result.stderr
        assert "no retrieval index" in lines["action server"], result.stderr
    finally:
        stack.stop_all()


def test_gateway_health_and_ready(gateway: Gateway) -> None:
    assert httpx.get(f"{gateway.url}/health", timeout=5).json() == {"status": "ok"}
    assert httpx.get(f"{gateway.url}/healthz", timeout=5).status_code == 200
    ready = httpx.get(f"{gateway.url}/ready", timeout=5)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "rasa": "ok"}
