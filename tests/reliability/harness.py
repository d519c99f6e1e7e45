"""Shared helpers for the reliability, fuzz and security tests (real processes, real HTTP).

Builds on `tests/stack.py`: extra Rasa servers for cluster mode, PostgreSQL/Redis-backed stacks,
socket inspection from /proc, and a few conversation helpers.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.stack import MODEL, PY, ROOT, Process, Stack, build_stack, free_port
from tests.stack import say as web_turn

CHAT_TIMEOUT = 60.0
FAKE_APP_SECRET = "app-secret"  # the local Graph API stand-in's, not a real secret


def say(
    stack_or_url: Stack | str,
    sender: str,
    text: str | None = None,
    payload: str | None = None,
    timeout: float = CHAT_TIMEOUT,
) -> list[dict[str, Any]]:
    """`tests.stack.say` with the fault tests' shorter timeout."""
    return web_turn(stack_or_url, sender, text, payload, timeout)


def all_text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def rasa_rest(base_url: str, sender: str, message: str, timeout: float = CHAT_TIMEOUT) -> list[dict[str, Any]]:
    """A message straight to one Rasa server's REST webhook (bypassing the gateway)."""
    response = httpx.post(
        f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
    )
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    data = response.json()
    assert isinstance(data, list)
    return data


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.5, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s")


# --- stacks ------------------------------------------------------------------------------------


def add_rasa_server(stack: Stack, name: str, port: int) -> None:
    """A second (third...) Rasa server sharing the stack's tracker and lock stores."""
    stack.processes[name] = Process(
        name,
        [PY, "-m", "citybot.cli", "rasa", "--port", str(port)],
        f"http://127.0.0.1:{port}/",
        stack.var_dir / "logs" / f"{name}.log",
    )


@contextmanager
def custom_stack(
    var_dir: Path,
    names: list[str],
    extra_env: dict[str, str] | None = None,
    rasa_servers: int = 1,
) -> Iterator[Stack]:
    """Like `tests.stack.running_stack`, plus cluster mode: `rasa_servers` Rasa processes
    named rasa, rasa2, ... behind one gateway (RASA_URLS)."""
    if not MODEL.exists():
        raise RuntimeError("no trained model: run `make train` (make test does it)")
    env = dict(extra_env or {})
    rasa_ports = [free_port() for _ in range(rasa_servers)]
    env["RASA_PORT"] = str(rasa_ports[0])
    if rasa_servers > 1:
        env["RASA_URLS"] = ",".join(f"http://127.0.0.1:{p}" for p in rasa_ports)
    stack = build_stack(var_dir, env)
    # build_stack picked its own Rasa port for the readiness URL; ours (in env) is the real one.
    stack.processes["rasa"].ready_url = f"http://127.0.0.1:{rasa_ports[0]}/"
    for i, port in enumerate(rasa_ports[1:], start=2):
        add_rasa_server(stack, f"rasa{i}", port)
    order = [n for n in names if n != "gateway"]
    if "rasa" in names:
        order += [f"rasa{i}" for i in range(2, rasa_servers + 1)]
    if "gateway" in names:
        order.append("gateway")
    try:
        if "backend" in names:
            for step in ("migrate", "seed"):
                subprocess.run([PY, "-m", "citybot.backend", step], cwd=ROOT, env=stack.env, check=True)
        rasa_names = [n for n in order if n.startswith("rasa")]
        for name in order:
            if name in rasa_names:
                if name == rasa_names[0]:
                    start_together(stack, rasa_names)  # model loading dominates: overlap it
                continue
            stack.start(name)
        yield stack
    finally:
        stack.stop_all()


def start_together(stack: Stack, names: list[str], timeout: float = 900.0) -> None:
    """Start several processes at once and wait until every one answers."""
    for name in names:
        stack.processes[name].start(stack.env)
    deadline = time.monotonic() + timeout
    pending = list(names)
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            process = stack.processes[name]
            if process.popen is not None and process.popen.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{process.log_tail()}")
            try:
                if httpx.get(process.ready_url, timeout=2.0).status_code < 500:
                    pending.remove(name)
            except httpx.HTTPError:
                pass
        if pending:
            time.sleep(0.5)
    if pending:
        raise RuntimeError(f"not ready after {timeout:.0f} s: {pending}")


def rasa_urls(stack: Stack) -> list[str]:
    return [p.ready_url.rstrip("/") for n, p in stack.processes.items() if n.startswith("rasa")]


def pid_of(stack: Stack, name: str) -> int:
    popen = stack.processes[name].popen
    assert popen is not None and popen.poll() is None, f"{name} is not running"
    return popen.pid


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return pids


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _hex_to_address(hex_addr: str, v6: bool) -> str:
    if not v6:
        raw = bytes.fromhex(hex_addr)[::-1]
        return ".".join(str(b) for b in raw)
    words = [bytes.fromhex(hex_addr[i : i + 8])[::-1].hex() for i in range(0, 32, 8)]
    import ipaddress

    return str(ipaddress.IPv6Address(bytes.fromhex("".join(words))))


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state held by a process or its children."""
    inodes: set[str] = set()
    for p in process_tree(pid):
        inodes |= _socket_inodes(p)
    found: set[tuple[str, int]] = set()
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A = TCP_LISTEN
                continue
            host, port = local.split(":")
            found.add((_hex_to_address(host, v6), int(port, 16)))
    return found


# --- a stand-in for the WhatsApp Graph API (the gateway's real client talks to it) ---------------


class FakeGraph:
    """Accepts Graph API sends on 127.0.0.1 and records them (no internet in tests)."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.sent: list[dict[str, Any]] = []
        self.status = 200  # set to 500 to play an outage of the Graph API
        sent = self.sent
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) or b"{}"
                if fake.status != 200:
                    self.send_response(fake.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                try:
                    sent.append(json.loads(raw))
                except ValueError:
                    sent.append({})
                body = b'{"messaging_product":"whatsapp","messages":[{"id":"wamid.test"}]}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def env(self) -> dict[str, str]:
        return {
            "WHATSAPP_TOKEN": "test-token",
            "WHATSAPP_PHONE_NUMBER_ID": "1000001",
            "WHATSAPP_VERIFY_TOKEN": "verify-me",
            "WHATSAPP_APP_SECRET": FAKE_APP_SECRET,
            "WHATSAPP_GRAPH_URL": self.url,
        }


def whatsapp_delivery(wa_id: str, text: str, message_id: str, name: str = "Warga") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "6200000000", "phone_number_id": "1000001"},
                            "contacts": [{"wa_id": wa_id, "profile": {"name": name}}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": message_id,
                                    "timestamp": "1700000000",
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def post_whatsapp(stack: Stack, payload: dict[str, Any] | bytes, secret: str = FAKE_APP_SECRET) -> httpx.Response:
    import hashlib
    import hmac
    import json

    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return httpx.post(
        f"{stack.gateway_url}/whatsapp/webhook",
        content=body,
        timeout=CHAT_TIMEOUT,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )


# --- one full stack shared by the security and fuzz tests of a pytest session ----------------

_SHARED: dict[str, Any] = {}


def shared_stack(request: Any, tmp_path_factory: Any) -> tuple[Stack, FakeGraph]:
    """A full stack (SQLite, WhatsApp channel against a local Graph API stand-in) started once per
    pytest session however many test directories ask for it; stopped when the session ends.
    Starting Rasa costs about a CPU-minute and a half, so directories share it."""
    if "stack" not in _SHARED:
        graph = FakeGraph()
        context = custom_stack(
            tmp_path_factory.mktemp("shared"), ["backend", "actions", "rasa", "gateway"], graph.env()
        )
        try:
            stack = context.__enter__()
        except BaseException:
            graph.close()
            raise

        def stop() -> None:
            context.__exit__(None, None, None)
            graph.close()
            _SHARED.clear()

        request.config.add_cleanup(stop)
        _SHARED.update(stack=stack, graph=graph)
    return _SHARED["stack"], _SHARED["graph"]
