"""The console's Pengetahuan tab over real HTTP: only supervisors get the editors' report, and it
carries the city backend's "most shown in the last 30 days" counts recorded by the action path."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from citybot.backend.app import create_app as create_backend
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade as migrate_backend
from citybot.client.knowledge import record_shown
from citybot.gateway.app import create_app as create_gateway
from tests.gateway.conftest import Gateway, GatewayFactory, make_settings
from tests.gateway.servers import FakeRasa, free_port, serve
from tests.retrieval.conftest import write_doc
from tests.webclient import HEADER, new_client_id

H = {"X-Requested-With": "agent-console"}
ADMIN_PASSWORD = "admin-rahasia-123"  # conftest's agent_bootstrap_password
BODY = "Ringkasan.\n## Persyaratan\n- KTP\n"


def knowledge(root: Path) -> Path:
    write_doc(
        root,
        "perizinan-baru",
        "perizinan",
        "Izin Baru",
        BODY,
        front="sources: [https://oss.go.id]\nreviewed: 2026-11-20\n",
    )
    write_doc(
        root,
        "perizinan-belum",
        "perizinan",
        "Izin Belum",
        BODY,
        front="sources: [https://oss.go.id]\nreviewed: belum\n",
    )
    write_doc(
        root,
        "perizinan-lewat",
        "perizinan",
        "Izin Lewat",
        "Lewat.\n## Tenggat\n- Daftar paling lambat Maret 2020.\n",
        front="sources: [https://oss.go.id]\nreviewed: 2026-11-20\n",
    )
    return root


def login(url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=20)
    response = client.post("/agent/api/login", json={"username": username, "password": password}, headers=H)
    assert response.status_code == 200, response.text
    return client


def test_only_supervisors_get_the_report_with_most_shown(tmp_path: Path, fake_rasa: tuple[FakeRasa, str]) -> None:
    _, rasa_url = fake_rasa
    gateway_port, backend_port = free_port(), free_port()
    backend_url = f"http://127.0.0.1:{backend_port}"
    settings = make_settings(
        tmp_path,
        rasa_url,
        gateway_port,
        backend_url=backend_url,
        backend_api_key="backend-key-123",
        knowledge_dir=knowledge(tmp_path / "knowledge"),
    )
    # make_settings' own database_url argument is the gateway's; the backend gets a fresh one here.
    settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'backend.db'}"})
    migrate_backend(settings.database_url)
    Database.connect(settings.database_url).dispose()
    with serve(create_backend(settings), backend_port), serve(create_gateway(settings), gateway_port) as gateway:

        async def show(doc_id: str, times: int) -> list[bool]:
            return [
                await record_shown(doc_id, base_url=backend_url, api_key="backend-key-123", http_timeout=10)
                for _ in range(times)
            ]

        assert asyncio.run(show("perizinan-belum", 3)) == [True] * 3
        assert asyncio.run(show("perizinan-baru", 1)) == [True]
        # A wrong key is refused and only reported back as "not recorded".
        assert asyncio.run(record_shown("perizinan-baru", base_url=backend_url, api_key="salah")) is False

        assert httpx.get(f"{gateway}/agent/api/knowledge/review").status_code == 401
        citizen = new_client_id(gateway)
        as_citizen = httpx.get(f"{gateway}/agent/api/knowledge/review", headers={HEADER: citizen})
        assert as_citizen.status_code == 401

        admin = login(gateway, "admin", ADMIN_PASSWORD)
        made = admin.post(
            "/agent/api/agents",
            headers=H,
            json={"username": "petugas.cc", "password": "kata-sandi-panjang", "role": "agent"},
        )
        assert made.status_code == 200, made.text
        agent = login(gateway, "petugas.cc", "kata-sandi-panjang")
        assert agent.get("/agent/api/knowledge/review").status_code == 403

        report = admin.get("/agent/api/knowledge/review")
        assert report.status_code == 200, report.text
        body = report.json()
        assert [d["doc_id"] for d in body["documents"]] == ["perizinan-belum", "perizinan-baru", "perizinan-lewat"]
        assert body["documents"][0]["stale"] is True and body["never"] == 1
        assert len(body["passed"]) == 1 and "paling lambat Maret 2020" in body["passed"][0]
        assert body["unsourced"] == []
        assert body["most_shown"] == {
            "days": 30,
            "error": "",
            "items": [
                {"doc_id": "perizinan-belum", "title": "Izin Belum", "count": 3},
                {"doc_id": "perizinan-baru", "title": "Izin Baru", "count": 1},
            ],
        }
        page = admin.get("/agent")
        assert 'data-tab="review"' in page.text and ">Pengetahuan<" in page.text


def test_report_says_when_the_backend_cannot_be_reached(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    gw: Gateway
    with gateway_factory(knowledge_dir=knowledge(tmp_path / "knowledge")) as gw:  # backend_url: nothing listens
        body = login(gw.url, "admin", ADMIN_PASSWORD).get("/agent/api/knowledge/review").json()
    assert body["most_shown"]["items"] == []
    assert body["most_shown"]["error"] == "Sistem kota sedang tidak bisa dihubungi."
    assert len(body["documents"]) == 3
