"""Attacks on the agent console login, against the real gateway and the real
city backend over HTTP: password guessing by account and by address, a flood of logins, old
password hashes, sessions that outlive logout, password reset or deactivation, and a faked
"I am HTTPS" header."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from citybot.backend.app import create_app as create_backend
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade as migrate_backend
from citybot.backend.models import Agent as BackendAgent
from citybot.backend.seed import seed
from citybot.backend.services import agents as backend_agents
from citybot.gateway.app import create_app as create_gateway
from citybot.gateway.db import GatewayDB
from citybot.gateway.models import Agent as GatewayAgent
from citybot.settings import Settings
from tests.gateway.conftest import Gateway, GatewayFactory, fake_rasa, gateway_factory, make_settings  # noqa: F401
from tests.gateway.servers import FakeRasa, free_port, serve

H = {"X-Requested-With": "agent-console"}
ADMIN_PASSWORD = "admin-rahasia-123"


def login(
    base: str, username: str, password: str, *, forwarded_for: str | None = None, client: httpx.Client | None = None
) -> httpx.Response:
    headers = dict(H)
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    http = client or httpx.Client(timeout=30)
    return http.post(f"{base}/agent/api/login", json={"username": username, "password": password}, headers=headers)


def from_address(address: str) -> httpx.Client:
    """A client whose connections come from another loopback address (127.0.0.0/8 is all local)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


# --- throttling -------------------------------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account_for_15_minutes_from_any_address(
    gateway_factory: GatewayFactory,  # noqa: F811
) -> None:
    # Behind a trusted proxy every guess can come from a different client address: the account
    # lock must hold anyway.
    with gateway_factory(gateway_trusted_proxies="127.0.0.1/32") as gw:
        for i in range(10):
            wrong = login(gw.url, "admin", f"tebakan-{i}", forwarded_for=f"203.0.113.{i + 1}")
            assert wrong.status_code == 401, wrong.text
        refused = login(gw.url, "admin", ADMIN_PASSWORD, forwarded_for="198.51.100.7")
        assert refused.status_code == 429, refused.text
        assert 14 * 60 < int(refused.headers["Retry-After"]) <= 15 * 60
        assert "15 menit" in refused.json()["detail"]


def test_ten_failures_from_one_address_lock_that_address_and_spoofed_headers_do_not_help(
    gateway_factory: GatewayFactory,  # noqa: F811
) -> None:
    with gateway_factory() as gw:  # no trusted proxy: X-Forwarded-For is the attacker's own text
        for i in range(10):
            response = login(gw.url, f"tamu{i}", "tebakan-salah", forwarded_for=f"203.0.113.{i + 1}")
            assert response.status_code == 401
        spoofed = login(gw.url, "admin", ADMIN_PASSWORD, forwarded_for="198.51.100.99")
        assert spoofed.status_code == 429, spoofed.text
        # The account itself was never guessed at: its owner logs in from another address.
        with from_address("127.0.0.2") as colleague:
            assert login(gw.url, "admin", ADMIN_PASSWORD, client=colleague).status_code == 200


def test_a_login_flood_neither_blocks_the_event_loop_nor_starves_the_shared_thread_pool(
    gateway_factory: GatewayFactory,  # noqa: F811
) -> None:
    """40 simultaneous wrong-password logins (from 40 proxied addresses, under every limit) while
    a logged-in agent reads the console: Argon2 runs on its own two threads, so the agent's
    database reads (default thread pool) and /healthz (event loop) do not queue behind it."""
    with gateway_factory(gateway_trusted_proxies="127.0.0.1/32") as gw:
        agent = httpx.Client(base_url=gw.url, timeout=60)
        assert login(gw.url, "admin", ADMIN_PASSWORD, client=agent).status_code == 200

        async def attack() -> tuple[float, float, float]:
            async with httpx.AsyncClient(
                base_url=gw.url,
                timeout=120,
                limits=httpx.Limits(max_connections=60),
                cookies={"ak_agent": agent.cookies["ak_agent"]},
            ) as http:

                async def guess(i: int) -> None:
                    headers = {**H, "X-Forwarded-For": f"203.0.113.{i + 1}"}
                    r = await http.post(
                        "/agent/api/login", json={"username": f"x{i}", "password": "salah-salah"}, headers=headers
                    )
                    assert r.status_code == 401

                async def timed(path: str) -> float:
                    start = time.perf_counter()
                    r = await http.get(path)
                    assert r.status_code == 200, r.text
                    return time.perf_counter() - start

                started = time.perf_counter()
                flood = [asyncio.create_task(guess(i)) for i in range(40)]
                await asyncio.sleep(0.3)  # the hash queue is full now
                me = [await timed("/agent/api/me") for _ in range(5)]
                health = [await timed("/healthz") for _ in range(5)]
                await asyncio.gather(*flood)
                return max(me), max(health), time.perf_counter() - started

        slowest_me, slowest_health, flood_seconds = asyncio.run(attack())
        # Measured relative to the flood: were the hashes on the shared pool, a console read would
        # wait behind most of them (about the whole flood's duration).
        assert flood_seconds > 1.0, "the flood was too short to measure anything"
        assert slowest_me < flood_seconds / 4, (slowest_me, flood_seconds)
        assert slowest_health < flood_seconds / 4, (slowest_health, flood_seconds)


# --- one hash format, rehash on login -----------------------------------------------------------


def _old_gateway_hash(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, n=2**14, r=8, p=1)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _old_backend_hash(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, n=2**14, r=8, p=1)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


@dataclass
class Pair:
    gateway: str
    backend: str
    settings: Settings


@contextmanager
def gateway_and_backend(tmp_path: Path, rasa_url: str, **extra: object) -> Iterator[Pair]:
    gateway_port, backend_port = free_port(), free_port()
    settings = make_settings(
        tmp_path,
        rasa_url,
        gateway_port,
        backend_url=f"http://127.0.0.1:{backend_port}",
        backend_api_key="backend-key-123",
        **extra,
    )
    # make_settings' own `database_url` argument is the gateway's; the backend's is set here.
    settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'backend.db'}"})
    migrate_backend(settings.database_url)
    db = Database.connect(settings.database_url)
    seed(db, settings, slot_days=1)
    db.dispose()
    with serve(create_backend(settings), backend_port) as backend, serve(create_gateway(settings), gateway_port) as gw:
        yield Pair(gw, backend, settings)


def _backend_db(pair: Pair) -> Database:
    return Database.connect(pair.settings.database_url)


def test_accounts_with_old_scrypt_hashes_still_log_in_and_move_to_argon2(
    tmp_path: Path,
    fake_rasa: tuple[FakeRasa, str],  # noqa: F811
) -> None:
    with gateway_and_backend(tmp_path, fake_rasa[1]) as pair:
        gateway_db = GatewayDB(pair.settings.gateway_database_url)
        backend_db = _backend_db(pair)
        try:
            with gateway_db.begin() as session:
                session.add(
                    GatewayAgent(username="lama", role="agent", password_hash=_old_gateway_hash("sandi-lama-123"))
                )
            with backend_db.writing() as session:
                session.add(
                    BackendAgent(username="lama", role="agent", password_hash=_old_backend_hash("sandi-lama-123"))
                )
            response = login(pair.gateway, "lama", "sandi-lama-123")
            assert response.status_code == 200, response.text
            assert response.json()["city_panels"] is True  # the backend accepted its old hash too
            with gateway_db.begin() as session:
                stored = session.scalar(select(GatewayAgent.password_hash).where(GatewayAgent.username == "lama"))
            with backend_db.read() as session:
                stored_backend = session.scalar(
                    select(BackendAgent.password_hash).where(BackendAgent.username == "lama")
                )
            assert stored is not None and stored.startswith("$argon2id$")
            assert stored_backend is not None and stored_backend.startswith("$argon2id$")
            # The upgraded hash is the same password, and a wrong one still fails.
            assert login(pair.gateway, "lama", "sandi-lama-123").status_code == 200
            assert login(pair.gateway, "lama", "sandi-lama-124").status_code == 401
        finally:
            gateway_db.dispose()
            backend_db.dispose()


# --- sessions end with logout, reset and deactivation -----------------------------------------


def _backend_token_works(pair: Pair, token: str) -> bool:
    r = httpx.get(f"{pair.backend}/api/v1/agent/bookings", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def _session_backend_tokens(pair: Pair, username: str) -> list[str]:
    from citybot.gateway.models import AgentSession

    db = GatewayDB(pair.settings.gateway_database_url)
    try:
        with db.begin() as session:
            rows = session.scalars(
                select(AgentSession.backend_token)
                .join(GatewayAgent, GatewayAgent.id == AgentSession.agent_id)
                .where(GatewayAgent.username == username)
            ).all()
    finally:
        db.dispose()
    return [t for t in rows if t]


@contextmanager
def _backend_writing(pair: Pair) -> Iterator[Session]:
    db = _backend_db(pair)
    try:
        with db.writing() as session:
            yield session
    finally:
        db.dispose()


def _backend_login(pair: Pair, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{pair.backend}/api/v1/agent/login",
        headers={"X-API-Key": "backend-key-123"},
        json={"username": username, "password": password},
        timeout=30,
    )


def _make_agent_on_both(pair: Pair, admin: httpx.Client, username: str, password: str) -> None:
    created = admin.post("/agent/api/agents", json={"username": username, "password": password}, headers=H)
    assert created.status_code == 200, created.text
    with _backend_writing(pair) as session:
        backend_agents.upsert_agent(session, username, "agent", password)


def _supervisor_and_agent(pair: Pair, username: str, password: str) -> tuple[httpx.Client, httpx.Client, str]:
    """A logged-in supervisor, and a new agent logged in on a client of its own with the backend
    token of that session."""
    admin = httpx.Client(base_url=pair.gateway, timeout=30)
    assert login(pair.gateway, "admin", ADMIN_PASSWORD, client=admin).status_code == 200
    _make_agent_on_both(pair, admin, username, password)
    agent = httpx.Client(base_url=pair.gateway, timeout=30)
    response = login(pair.gateway, username, password, client=agent)
    assert response.status_code == 200 and response.json()["city_panels"] is True
    [backend_token] = _session_backend_tokens(pair, username)
    return admin, agent, backend_token


def test_logout_ends_the_console_session_and_the_backend_token(
    tmp_path: Path,
    fake_rasa: tuple[FakeRasa, str],  # noqa: F811
) -> None:
    with gateway_and_backend(tmp_path, fake_rasa[1]) as pair:
        agent = httpx.Client(base_url=pair.gateway, timeout=30)
        assert login(pair.gateway, "admin", ADMIN_PASSWORD, client=agent).json()["city_panels"] is True
        [backend_token] = _session_backend_tokens(pair, "admin")
        stolen_cookie = agent.cookies["ak_agent"]
        assert _backend_token_works(pair, backend_token)
        assert agent.post("/agent/api/logout", headers=H).status_code == 200
        # A copy of the cookie or of the backend token taken before logout is worthless now.
        replay = httpx.get(f"{pair.gateway}/agent/api/me", cookies={"ak_agent": stolen_cookie}, timeout=10)
        assert replay.status_code == 401
        assert not _backend_token_works(pair, backend_token)


def test_password_reset_ends_every_session_of_that_account_backend_included(
    tmp_path: Path,
    fake_rasa: tuple[FakeRasa, str],  # noqa: F811
) -> None:
    with gateway_and_backend(tmp_path, fake_rasa[1]) as pair:
        # `thief`: someone who learnt the old password
        admin, thief, backend_token = _supervisor_and_agent(pair, "budi", "sandi-budi-lama-1")
        reset = admin.post("/agent/api/agents", json={"username": "budi", "password": "sandi-budi-baru-2"}, headers=H)
        assert reset.status_code == 200, reset.text
        assert thief.get("/agent/api/me").status_code == 401
        assert not _backend_token_works(pair, backend_token)
        assert login(pair.gateway, "budi", "sandi-budi-lama-1").status_code == 401
        assert login(pair.gateway, "budi", "sandi-budi-baru-2").status_code == 200
        # The backend's own reset revokes that account's tokens as well.
        token = _backend_login(pair, "budi", "sandi-budi-lama-1").json()["token"]
        with _backend_writing(pair) as session:
            backend_agents.upsert_agent(session, "budi", "agent", "sandi-budi-baru-2")
        assert not _backend_token_works(pair, token)


def test_a_deactivated_agent_cannot_log_in_and_open_sessions_die(
    tmp_path: Path,
    fake_rasa: tuple[FakeRasa, str],  # noqa: F811
) -> None:
    with gateway_and_backend(tmp_path, fake_rasa[1]) as pair:
        admin, leaver, backend_token = _supervisor_and_agent(pair, "citra", "sandi-citra-123")
        # An agent cannot deactivate anyone; a supervisor can, but not themself.
        assert leaver.post("/agent/api/agents/admin/deactivate", headers=H).status_code == 403
        assert admin.post("/agent/api/agents/admin/deactivate", headers=H).status_code == 409
        done = admin.post("/agent/api/agents/citra/deactivate", headers=H)
        assert done.status_code == 200, done.text
        assert leaver.get("/agent/api/me").status_code == 401
        assert leaver.get("/agent/api/queue").status_code == 401
        assert not _backend_token_works(pair, backend_token)
        assert login(pair.gateway, "citra", "sandi-citra-123").status_code == 401
        # Deactivation at the backend: its tokens stop working and its login is refused.
        token = _backend_login(pair, "citra", "sandi-citra-123").json()["token"]
        with _backend_writing(pair) as session:
            backend_agents.deactivate(session, "citra")
        assert not _backend_token_works(pair, token)
        again = _backend_login(pair, "citra", "sandi-citra-123")
        assert again.status_code == 401


def test_backend_login_is_throttled_by_account_too(tmp_path: Path, fake_rasa: tuple[FakeRasa, str]) -> None:  # noqa: F811
    with gateway_and_backend(tmp_path, fake_rasa[1]) as pair:
        url = f"{pair.backend}/api/v1/agent/login"
        for i in range(10):
            r = httpx.post(url, json={"username": "supervisor", "password": f"tebak-{i}-xx"}, timeout=30)
            assert r.status_code == 401
        locked = httpx.post(url, json={"username": "supervisor", "password": ADMIN_PASSWORD}, timeout=30)
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 14 * 60
        assert locked.json()["code"] == "too_many_attempts"


# --- Secure cookie behind a TLS proxy ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "proto", "secure"),
    [
        ("127.0.0.2", "https", True),  # the configured TLS proxy says the citizen used HTTPS
        ("127.0.0.1", "https", False),  # anyone else saying so is ignored
        ("127.0.0.2", None, False),  # the proxy itself, plain HTTP
    ],
)
def test_session_cookie_is_secure_only_when_a_trusted_proxy_says_https(
    gateway_factory: GatewayFactory,  # noqa: F811
    source: str,
    proto: str | None,
    secure: bool,
) -> None:
    with gateway_factory(gateway_trusted_proxies="127.0.0.2") as gw, from_address(source) as client:
        headers = {**H, **({"X-Forwarded-Proto": proto} if proto else {})}
        r = client.post(
            f"{gw.url}/agent/api/login", json={"username": "admin", "password": ADMIN_PASSWORD}, headers=headers
        )
        assert r.status_code == 200, r.text
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert ("; secure" in cookie) is secure, cookie
