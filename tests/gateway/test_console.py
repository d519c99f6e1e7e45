"""Agent console API: login, handoff queue, take over, reply, hand back (real gateway, web citizen)."""

from __future__ import annotations

import httpx

from citybot.gateway.senders import sender_id
from tests.gateway.conftest import Gateway
from tests.webclient import HEADER, new_client_id

H = {"X-Requested-With": "agent-console"}


ADMIN_PASSWORD = "admin-rahasia-123"  # conftest's agent_bootstrap_password


def login(gw: Gateway, password: str = ADMIN_PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=gw.url, timeout=10)
    response = client.post("/agent/api/login", json={"username": "admin", "password": password}, headers=H)
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "supervisor"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    return client


def inbox(gw: Gateway, client_id: str) -> list[dict]:
    return httpx.get(f"{gw.url}/api/messages/inbox", headers={HEADER: client_id}, timeout=10).json()["replies"]


def test_login_is_required_and_wrong_password_refused(gateway: Gateway) -> None:
    assert httpx.get(f"{gateway.url}/agent/api/queue").status_code == 401
    bad = httpx.post(f"{gateway.url}/agent/api/login", json={"username": "admin", "password": "salah-salah"}, headers=H)
    assert bad.status_code == 401
    nobody = httpx.post(f"{gateway.url}/agent/api/login", json={"username": "siapa", "password": "x"}, headers=H)
    assert nobody.status_code == 401
    # Without the console header (a cross-site form post) nothing changes.
    assert httpx.post(f"{gateway.url}/agent/api/login", json={"username": "admin", "password": "x"}).status_code == 403
    assert httpx.get(f"{gateway.url}/agent").status_code == 200


def test_handoff_take_over_reply_and_hand_back(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    say = lambda text: httpx.post(  # noqa: E731
        f"{gateway.url}/api/messages", headers={HEADER: client_id}, json={"text": text}, timeout=10
    ).json()["replies"]
    say("saya mau bicara dengan petugas")
    sender = sender_id(gateway.settings.sender_id_key, "web", client_id)
    summary = "Warga melapor banjir setinggi 40 cm di Jl. Kemang Raya sejak pagi."
    assert (
        gateway.internal("/internal/handoff", {"sender": sender, "summary": summary, "reason": "minta_petugas"}).json()[
            "status"
        ]
        == "queued"
    )

    agent = login(gateway)
    queue = agent.get("/agent/api/queue").json()["items"]
    assert [(i["sender"], i["state"], i["summary"]) for i in queue] == [(sender, "queued", summary)]
    conversation = agent.get(f"/agent/api/conversations/{sender}").json()
    citizen = [m["text"] for m in conversation["messages"] if m["author"] == "citizen"]
    assert citizen == ["saya mau bicara dengan petugas"]

    # Replying before taking over is refused.
    assert agent.post(f"/agent/api/conversations/{sender}/reply", json={"text": "halo"}, headers=H).status_code == 409
    assert agent.post(f"/agent/api/conversations/{sender}/take", headers=H).status_code == 200
    assert "terhubung dengan petugas admin" in inbox(gateway, client_id)[0]["text"]

    received_before = len(gateway.rasa.received)
    assert say("airnya makin tinggi pak") == []  # goes to the console, not the bot
    assert len(gateway.rasa.received) == received_before
    history = agent.get(f"/agent/api/conversations/{sender}").json()["messages"]
    assert history[-1]["text"] == "airnya makin tinggi pak" and history[-1]["author"] == "citizen"

    text = "Tim pompa BPBD sedang menuju."
    r = agent.post(f"/agent/api/conversations/{sender}/reply", json={"text": text}, headers=H)
    assert r.status_code == 200
    assert inbox(gateway, client_id) == [
        {"text": text, "buttons": [], "image": None, "custom": {"from": "agent", "agent": "admin"}}
    ]

    assert agent.post(f"/agent/api/conversations/{sender}/release", headers=H).status_code == 200
    assert "kembali dilayani Asisten Kota" in inbox(gateway, client_id)[0]["text"]
    assert agent.get("/agent/api/queue").json()["items"] == []
    assert say("terima kasih")[0]["text"] == "Diterima: terima kasih"  # the bot answers again


def test_panels_degrade_without_backend_or_index(gateway: Gateway) -> None:
    agent = login(gateway)
    assert agent.get("/agent/api/me").json()["city_panels"] is False
    assert agent.get("/agent/api/complaints").status_code == 409
    assert agent.get("/agent/api/knowledge", params={"q": "syarat PBG"}).json() == {"available": False, "hits": []}
    assert agent.post("/agent/api/logout", headers=H).status_code == 200
    assert agent.get("/agent/api/me").status_code == 401


def test_supervisor_creates_agents_who_cannot_create_agents(gateway: Gateway) -> None:
    admin = login(gateway)
    body = {"username": "siti.cc", "password": "kata-sandi-panjang", "role": "agent"}
    assert admin.post("/agent/api/agents", json=body, headers=H).json() == {"username": "siti.cc", "role": "agent"}
    weak = admin.post("/agent/api/agents", json={**body, "password": "pendek"}, headers=H)
    assert weak.status_code == 422
    siti = httpx.Client(base_url=gateway.url, timeout=10)
    ok = siti.post("/agent/api/login", json={"username": "siti.cc", "password": "kata-sandi-panjang"}, headers=H)
    assert ok.status_code == 200 and ok.json()["role"] == "agent"
    other = {"username": "budi", "password": "kata-sandi-panjang", "role": "supervisor"}
    assert siti.post("/agent/api/agents", json=other, headers=H).status_code == 403
