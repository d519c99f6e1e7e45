"""Web channel, inbox and the signed internal API (notify, push, handoff) on the real gateway."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from citybot.gateway.senders import sender_id
from tests.gateway.conftest import Gateway
from tests.webclient import HEADER, new_client_id


def say(gw: Gateway, client_id: str, text: str) -> list[dict]:
    response = httpx.post(f"{gw.url}/api/messages", headers={HEADER: client_id}, json={"text": text}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def web_sender(gw: Gateway, client_id: str) -> str:
    return sender_id(gw.settings.sender_id_key, "web", client_id)


def test_web_message_reaches_rasa_with_hashed_sender_and_channel(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    replies = say(gateway, client_id, "halo kak")
    assert replies[0]["text"] == "Diterima: halo kak"
    assert [b["payload"] for b in replies[1]["buttons"]] == ["/lapor_pengaduan", "/cek_status_laporan"]
    received = gateway.rasa.received[-1]
    assert received["sender"] == web_sender(gateway, client_id)
    assert client_id not in received["sender"]
    assert received["metadata"] == {"channel": "web"}


def test_location_and_photo_follow_the_rasa_contract(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    r = httpx.post(
        f"{gateway.url}/api/messages/location",
        headers={HEADER: client_id},
        json={"latitude": -6.2, "longitude": 106.816666},
        timeout=10,
    )
    assert r.status_code == 200
    assert gateway.rasa.messages()[-1] == '/kirim_lokasi{"latitude": -6.2, "longitude": 106.816666}'
    from tests.gateway.servers import JPEG, same_picture

    r = httpx.post(
        f"{gateway.url}/api/messages/photo",
        headers={HEADER: client_id},
        files={"photo": ("x.jpg", JPEG, "image/jpeg")},
        timeout=10,
    )
    assert r.status_code == 200
    message = gateway.rasa.messages()[-1]
    assert message.startswith("/kirim_foto{")
    url = json.loads(message.removeprefix("/kirim_foto"))["media_url"]
    assert url.startswith(gateway.url + "/media/")
    served = httpx.get(url, timeout=10)
    assert served.status_code == 200 and same_picture(served.content)
    assert served.headers["content-type"] == "image/jpeg"
    # Not an image: refused politely, nothing sent to Rasa.
    before = len(gateway.rasa.received)
    r = httpx.post(
        f"{gateway.url}/api/messages/photo",
        headers={HEADER: client_id},
        files={"photo": ("x.jpg", b"<html>", "image/jpeg")},
        timeout=10,
    )
    assert "gagal" in r.json()["replies"][0]["text"]
    assert len(gateway.rasa.received) == before


def test_notify_renders_indonesian_status_and_goes_to_web_inbox_once(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    say(gateway, client_id, "halo")
    sender = web_sender(gateway, client_id)
    event = {
        "event_id": str(uuid.uuid4()),
        "type": "complaint.status_changed",
        "ticket": "JKL-2026-000123",
        "status": "proses",
        "status_label": "Proses",
        "note": "Petugas sedang menuju lokasi",
        "channel": "web",
        "address": sender,
        "occurred_at": "2026-11-27T10:00:00+07:00",
    }
    assert gateway.internal("/internal/notify", event).status_code == 202
    assert gateway.internal("/internal/notify", event).json()["status"] == "duplicate"
    inbox = httpx.get(f"{gateway.url}/api/messages/inbox", headers={HEADER: client_id}, timeout=10).json()
    assert [r["text"] for r in inbox["replies"]] == [
        "Laporan JKL-2026-000123 kini berstatus Proses: Petugas sedang menuju lokasi"
    ]
    # Marked delivered: a second read is empty.
    again = httpx.get(f"{gateway.url}/api/messages/inbox", headers={HEADER: client_id}, timeout=10).json()
    assert again["replies"] == []


def test_selesai_asks_whether_it_is_really_fixed(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    say(gateway, client_id, "halo")
    event = {
        "event_id": "ev-selesai-1",
        "type": "complaint.status_changed",
        "ticket": "JKL-2026-000124",
        "status": "selesai",
        "status_label": "Selesai",
        "note": "Lubang sudah ditambal",
        "channel": "web",
        "address": web_sender(gateway, client_id),
        "occurred_at": None,
    }
    assert gateway.internal("/internal/notify", event).status_code == 202
    inbox = httpx.get(f"{gateway.url}/api/messages/inbox", headers={HEADER: client_id}, timeout=10).json()
    reply = inbox["replies"][0]
    assert reply["text"].startswith("Laporan JKL-2026-000124 kini berstatus Selesai: Lubang sudah ditambal")
    assert reply["buttons"] == [
        {"title": "Sudah beres", "payload": '/sudah_beres{"nomor_tiket": "JKL-2026-000124"}'},
        {"title": "Belum", "payload": '/belum_beres{"nomor_tiket": "JKL-2026-000124"}'},
    ]


def test_push_is_idempotent_and_unknown_sender_is_404(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    say(gateway, client_id, "halo")
    push = {
        "event_id": "push-1",
        "sender": web_sender(gateway, client_id),
        "replies": [{"text": "Jadwal kunjungan Anda besok 09.00", "buttons": [{"title": "OK", "payload": "/ok"}]}],
    }
    with ThreadPoolExecutor(3) as pool:
        codes = sorted(r.status_code for r in pool.map(lambda _: gateway.internal("/internal/push", push), range(3)))
    assert codes == [200, 200, 202]
    replies = httpx.get(f"{gateway.url}/api/messages/inbox", headers={HEADER: client_id}, timeout=10).json()["replies"]
    assert len(replies) == 1 and replies[0]["buttons"][0]["payload"] == "/ok"
    missing = gateway.internal("/internal/push", {**push, "event_id": "push-2", "sender": "web-unknown"})
    assert missing.status_code == 404


def test_web_stream_delivers_pushes_live(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    say(gateway, client_id, "halo")
    sender = web_sender(gateway, client_id)
    with httpx.stream("GET", f"{gateway.url}/api/messages/stream", headers={HEADER: client_id}, timeout=10) as s:
        lines = s.iter_lines()
        assert next(lines).startswith("retry:")
        push = {"event_id": "live-1", "sender": sender, "replies": [{"text": "Halo dari petugas"}]}
        assert gateway.internal("/internal/push", push).status_code == 202
        data = None
        for line in lines:
            if line.startswith("data:"):
                data = json.loads(line[5:])
                break
    assert data == {"type": "replies", "replies": [{"text": "Halo dari petugas", "buttons": []}]}
    # Delivered over the stream, so the inbox no longer holds it.
    assert httpx.get(f"{gateway.url}/api/messages/inbox", headers={HEADER: client_id}).json()["replies"] == []


def test_handoff_inside_office_hours_queues(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    say(gateway, client_id, "saya mau bicara dengan petugas")
    body = {"sender": web_sender(gateway, client_id), "summary": "Warga menanyakan banjir di Kemang", "reason": "minta"}
    response = gateway.internal("/internal/handoff", body)
    assert response.status_code == 200
    assert response.json() == {"status": "queued", "next_open": None}


def test_handoff_outside_office_hours_records_callback(gateway_factory) -> None:
    # Office open one minute a week on a day that is never today → always closed now.
    import datetime as dt
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).isoweekday()
    other_day = today % 7 + 1
    with gateway_factory(office_days=str(other_day), office_hours="08:00-16:00") as gw:
        client_id = new_client_id(gw.url)
        say(gw, client_id, "halo")
        body = {"sender": web_sender(gw, client_id), "summary": "s", "reason": "r"}
        response = gw.internal("/internal/handoff", body)
        assert response.status_code == 200
        data = response.json()
        assert data["status"] == "callback"
        opening = dt.datetime.fromisoformat(data["next_open"])
        assert opening.isoweekday() == other_day and opening.strftime("%H:%M") == "08:00"
        assert opening > dt.datetime.now(dt.UTC)
