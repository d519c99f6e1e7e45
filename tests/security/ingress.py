"""The real gateway process (`python -m citybot.gateway`) in front of a local Rasa stand-in,
with the shipped per-network limits, for the abuse tests of the public entry points."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from citybot.settings import Settings
from tests.gateway.servers import FakeRasa, serve
from tests.stack import TEST_NETWORK_LIMITS, Stack, build_stack


def shipped(name: str) -> str:
    """A setting's default as shipped (the test stacks raise the per-network ones)."""
    return str(Settings.model_fields[name.lower()].default)


@contextmanager
def gateway_process(var_dir: Path, rasa_url: str, **env: str) -> Iterator[Stack]:
    values = {key: shipped(key) for key in TEST_NETWORK_LIMITS}  # the limits a city gets
    values.update(
        {
            "RASA_URLS": rasa_url,
            "BACKEND_URL": "http://127.0.0.1:9",
            "TMPDIR": str(var_dir / "tmp"),
            "OFFICE_HOURS": "00:00-23:59",
            "OFFICE_DAYS": "1-7",
        }
    )
    values.update(env)
    (var_dir / "tmp").mkdir(parents=True, exist_ok=True)
    stack = build_stack(var_dir, values)
    try:
        stack.start("gateway", timeout=120)
        yield stack
    finally:
        stack.stop_all()


@contextmanager
def rasa_stand_in(buttons: list[dict[str, str]] | None = None) -> Iterator[tuple[FakeRasa, str]]:
    """The gateway tests' Rasa stand-in; with `buttons`, every answer offers those instead."""
    rasa = FakeRasa()
    if buttons is not None:
        app = FastAPI()

        @app.post("/webhooks/rest/webhook")
        async def webhook(request: Request) -> JSONResponse:
            body = await request.json()
            with rasa.lock:
                rasa.received.append(body)
            return JSONResponse(
                [{"recipient_id": body["sender"], "text": "Mohon periksa laporan Anda", "buttons": buttons}]
            )

        rasa.app = app
    with serve(rasa.app) as url:
        yield rasa, url


def gateway_pid(stack: Stack) -> int:
    popen = stack.processes["gateway"].popen
    assert popen is not None and popen.poll() is None
    return popen.pid


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak since start) of a process, from /proc."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def deleted_open_files(pid: int) -> list[str]:
    """Files the process still holds open although they are deleted (spooled temporary files)."""
    held = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.endswith("(deleted)"):
            held.append(target)
    return held


def raw_post(
    base_url: str, path: str, headers: dict[str, str], chunks: Iterable[bytes], timeout: float = 60.0
) -> tuple[int, bytes, int]:
    """POST over a plain socket, streaming `chunks` until the server answers (or all are sent).

    Returns (status, response body, bytes of body sent). A server that answers early and closes
    is what a cap looks like, so a broken pipe while sending is expected, not an error.
    """
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    sent = 0
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall((head + "\r\n").encode())
        for chunk in chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break  # the server has answered: stop sending
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        response = b""
        while b"\r\n\r\n" not in response or not _complete(response):
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            response += data
    finally:
        sock.close()
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return status, response.partition(b"\r\n\r\n")[2], sent


def _complete(response: bytes) -> bool:
    head, _, body = response.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def chunked(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """HTTP/1.1 chunked transfer coding: no Content-Length for the server to refuse up front."""
    for piece in pieces:
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def json_of(body: bytes) -> Any:
    import json

    return json.loads(body)
