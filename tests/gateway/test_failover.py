"""Gateway failover between Rasa servers: two real Rasa stand-ins (FakeRasa over HTTP) behind a
real gateway; the citizen's server is stopped mid-conversation, then started again."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.gateway.conftest import GatewayFactory
from tests.gateway.servers import FakeRasa, free_port, serve
from tests.gateway.test_web_and_internal import say, web_sender
from tests.services import drop_postgres, require_postgres
from tests.webclient import new_client_id


@pytest.fixture(params=["sqlite", "postgresql"])
def gateway_db(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The gateway's own database (SQLite default, or PostgreSQL as in cluster mode)."""
    if request.param == "sqlite":
        yield {}
        return
    url = require_postgres()
    try:
        yield {"database_url": url}
    finally:
        drop_postgres(url)


def test_conversation_goes_on_when_its_rasa_server_stops_and_comes_back(
    gateway_factory: GatewayFactory, gateway_db: dict[str, str]
) -> None:
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    fakes = [FakeRasa(), FakeRasa()]
    with contextlib.ExitStack() as servers:
        running = [servers.enter_context(contextlib.ExitStack()) for _ in fakes]
        for stack, fake, port in zip(running, fakes, ports, strict=True):
            stack.enter_context(serve(fake.app, port))
        with gateway_factory(rasa_urls=",".join(urls), rasa_failover_retry_seconds=1.0, **gateway_db) as gw:
            client = new_client_id(gw.url)
            assert "Diterima: halo" in say(gw, client, "halo")[0]["text"]
            own = next(i for i, fake in enumerate(fakes) if "halo" in fake.messages())
            other = 1 - own
            assert fakes[other].messages() == []  # one citizen, one server while both are up

            running[own].close()  # the citizen's Rasa server goes away mid-conversation
            assert "Diterima: saya mau lapor" in say(gw, client, "saya mau lapor")[0]["text"]
            assert "saya mau lapor" in fakes[other].messages()
            ready = httpx.get(f"{gw.url}/ready", timeout=10).json()
            assert ready["status"] == "ready" and ready["rasa_servers"][urls[own]] != "ok"

            # It recovers on the same address: after the retry period the citizen is back on it.
            revived = FakeRasa()
            running[own] = servers.enter_context(contextlib.ExitStack())
            running[own].enter_context(serve(revived.app, ports[own]))
            time.sleep(1.2)
            assert "Diterima: jalan rusak" in say(gw, client, "jalan rusak")[0]["text"]
            assert revived.messages() == ["jalan rusak"]
            assert fakes[other].messages() == ["saya mau lapor"]
            # The sender is the gateway's hashed id on every server (a shared tracker continues it).
            assert {r["sender"] for r in fakes[other].received + revived.received} == {web_sender(gw, client)}


def test_every_rasa_server_down_is_a_polite_busy_answer(gateway_factory: GatewayFactory) -> None:
    dead = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]
    with gateway_factory(rasa_urls=",".join(dead)) as gw:
        client = new_client_id(gw.url)
        response = httpx.post(
            f"{gw.url}/api/messages", json={"text": "halo"}, headers={"X-Client-Id": client}, timeout=30
        )
        assert response.status_code in (200, 503)
        assert response.json()["replies"][0]["text"]
        ready = httpx.get(f"{gw.url}/ready", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"]["rasa"] == "no Rasa server answers"
