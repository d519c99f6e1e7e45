"""The city backend as a real process (`python -m citybot.backend`): its CLI, and `serve` under
uvicorn on a free port, for the tests and benchmarks that need the real server."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.stack import free_port

ROOT = Path(__file__).resolve().parent.parent


def run_backend(env: dict[str, str], *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citybot.backend", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def backend_cli(env: dict[str, str], *args: str, timeout: float = 120.0) -> str:
    """Runs a CLI command that must succeed (migrate, seed, ...); its standard output."""
    done = run_backend(env, *args, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"citybot.backend {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def served_backend(env: dict[str, str], *options: str, timeout: float = 30.0) -> Iterator[str]:
    """`serve` on a free port until the block ends; yields the base URL once /health answers.
    The server's output goes to a temporary file (a pipe nobody reads would stall it) and is
    the error message when it does not come up."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
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
                *options,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(base):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(log.read().decode(errors="replace") or "backend did not start")
                time.sleep(0.1)
            yield base
        finally:
            stop_process(proc)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
