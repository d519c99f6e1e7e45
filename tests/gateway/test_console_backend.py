"""Console panels against the real city backend: an agent changes a complaint's status with a
note in the console, the backend's notify outbox signs the event to the gateway, and the citizen
gets the Indonesian status message in the web inbox."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx

from citybot.backend.app import create_app as create_backend
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade as migrate_backend
from citybot.backend.seed import seed
from citybot.client import CityClient
from citybot.gateway.app import create_app as create_gateway
from citybot.gateway.senders import sender_id
from tests.gateway.conftest import make_settings
from tests.gateway.servers import FakeRasa, free_port, serve, wait_for
from tests.webclient import HEADER, new_client_id

H = {"X-Requested-With": "agent-console"}


def test_agent_changes_status_and_citizen_is_notified(tmp_path: Path, fake_rasa: tuple[FakeRasa, str]) -> None:
    _, rasa_url = fake_rasa
    gateway_port, backend_port = free_port(), free_port()
    backend_url = f"http://127.0.0.1:{backend_port}"
    settings = make_settings(
        tmp_path,
        rasa_url,
        gateway_port,
        backend_url=backend_url,
        backend_api_key="backend-key-123",
        database_url=f"sqlite:///{tmp_path / 'backend.db'}",
        gateway_notify_url=f"http://127.0.0.1:{gateway_port}/internal/notify",
        outbox_poll_seconds=0.2,
    )
    migrate_backend(settings.database_url)
    db = Database.connect(settings.database_url)
    seed(db, settings, slot_days=2)
    db.dispose()
    with (
        serve(create_backend(settings, start_outbox=True), backend_port),
        serve(create_gateway(settings), gateway_port) as gateway,
    ):
        client_id = new_client_id(gateway)
        httpx.post(f"{gateway}/api/messages", headers={HEADER: client_id}, json={"text": "halo"}, timeout=10)
        sender = sender_id(settings.sender_id_key, "web", client_id)

        async def file_complaint() -> str:
            async with CityClient(backend_url, settings.backend_api_key) as city:
                services = await city.list_services()
                complaint = await city.create_complaint(
                    service_code=services[0].service_code,
                    description="Lampu jalan mati sejak seminggu",
                    channel="web",
                    address=sender,
                    idempotency_key=uuid.uuid4().hex,
                    lat=-6.2,
                    long=106.8,
                    address_string="Jl. Kemang Raya 10",
                )
                return complaint.ticket

        ticket = asyncio.run(file_complaint())

        agent = httpx.Client(base_url=gateway, timeout=20)
        login = agent.post("/agent/api/login", json={"username": "admin", "password": "admin-rahasia-123"}, headers=H)
        assert login.json()["city_panels"] is True
        listed = agent.get("/agent/api/complaints", params={"status": "menunggu"}).json()
        assert ticket in [c["ticket"] for c in listed["items"]]
        changed = agent.post(
            f"/agent/api/complaints/{ticket}/status",
            json={"status": "proses", "note": "Petugas PJU dijadwalkan besok pagi"},
            headers=H,
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["status"] == "proses"
        refused = agent.post(f"/agent/api/complaints/{ticket}/status", json={"status": "proses", "note": ""}, headers=H)
        assert refused.status_code == 422 and refused.json()["message"]

        def inbox() -> list[dict]:
            return httpx.get(f"{gateway}/api/messages/inbox", headers={HEADER: client_id}).json()["replies"]

        replies = wait_for(inbox, timeout=20)
        assert [r["text"] for r in replies] == [
            f"Laporan {ticket} kini berstatus Proses: Petugas PJU dijadwalkan besok pagi"
        ]
        assert agent.get("/agent/api/bookings").status_code == 200
