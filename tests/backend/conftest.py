"""Backend fixtures: a migrated, seeded database on SQLite and on PostgreSQL, the real app over
httpx's ASGI transport, and the typed client pointed at it."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from citybot.backend.app import create_app
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade
from citybot.backend.seed import seed
from citybot.client import CityClient
from citybot.settings import Settings
from tests.services import drop_postgres, require_postgres

API_KEY = "test-api-key"
NOTIFY_SECRET = "test-notify-secret"
BOOTSTRAP_PASSWORD = "supervisor-pass-123"


def make_settings(url: str, **extra: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "backend_api_key": API_KEY,
        "notify_secret": NOTIFY_SECRET,
        "agent_bootstrap_password": BOOTSTRAP_PASSWORD,
        **extra,
    }
    return Settings.model_validate(values)


def fresh_database_url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'backend.db'}"
    return require_postgres()


@dataclass
class Backend:
    kind: str
    url: str
    settings: Settings
    db: Database
    app: FastAPI


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """One migrated + seeded database per engine for the whole session (tests add their own rows)."""
    kind = request.param
    url = fresh_database_url(kind, tmp_path_factory.mktemp(kind))
    upgrade(url)
    settings = make_settings(url)
    db = Database.connect(url)
    seed(db, settings)
    app = create_app(settings, db=db)
    try:
        yield Backend(kind, url, settings, db, app)
    finally:
        db.dispose()
        if kind == "postgresql":
            drop_postgres(url)


@pytest.fixture
def postgres_backend(backend: Backend) -> Backend:
    if backend.kind != "postgresql":
        pytest.skip("this check is about PostgreSQL row locking; the SQLite run serialises writers")
    return backend


def transport(app: FastAPI) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=app)


@pytest.fixture
async def http(backend: Backend) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=transport(backend.app), base_url="http://backend", headers={"X-API-Key": API_KEY}
    ) as client:
        yield client


@pytest.fixture
async def city(backend: Backend) -> AsyncIterator[CityClient]:
    async with CityClient("http://backend", API_KEY, timeout=10.0, transport=transport(backend.app)) as client:
        yield client


@dataclass
class Receiver:
    """A real HTTP server standing in for the gateway's notify endpoint."""

    url: str
    statuses: list[int] = field(default_factory=list)  # answers to give, in order; then 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                status = state.statuses.pop(0) if state.statuses else 200
                if 200 <= status < 300:
                    state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"ok": status < 300}).encode())

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/internal/notify"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
