"""Our WhatsApp Cloud API client against a local Graph API stand-in, through the real gateway."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from citybot.gateway.db import GatewayDB
from citybot.gateway.models import Sender
from citybot.gateway.senders import sender_id
from tests.gateway.conftest import WA_PHONE_ID, WA_TOKEN, Gateway, GatewayFactory
from tests.gateway.servers import JPEG, FakeGraph, same_picture, serve, wait_for

APP_SECRET = "meta-app-secret-xyz"
VERIFY_TOKEN = "verify-me-123"
WA_ID = "6281234567890"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph(WA_TOKEN, WA_PHONE_ID)
    fake.media["media-777"] = JPEG
    with serve(fake.app) as url:
        fake.base = url
        yield fake


def whatsapp_settings(graph: FakeGraph, **more: object) -> dict[str, object]:
    """Gateway settings with the WhatsApp channel talking to the fake Graph API."""
    return {
        "whatsapp_token": WA_TOKEN,
        "whatsapp_phone_number_id": WA_PHONE_ID,
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": VERIFY_TOKEN,
        "whatsapp_graph_url": graph.base,
        **more,
    }


@pytest.fixture
def wa(gateway_factory: GatewayFactory, graph: FakeGraph) -> Iterator[Gateway]:
    with gateway_factory(**whatsapp_settings(graph)) as gw:
        yield gw


def delivery(message: dict[str, Any]) -> dict[str, Any]:
    message = {"from": WA_ID, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time())), **message}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "62215550000", "phone_number_id": WA_PHONE_ID},
                            "contacts": [{"profile": {"name": "Siti"}, "wa_id": WA_ID}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(
    gw: Gateway, payload: dict[str, Any], signature: str | None = "auto", body: bytes | None = None
) -> httpx.Response:
    raw = body if body is not None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers["X-Hub-Signature-256"] = sign(raw)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return httpx.post(f"{gw.url}/whatsapp/webhook", content=raw, headers=headers, timeout=30)


def test_verification_returns_challenge_only_for_the_right_token(wa: Gateway) -> None:
    ok = httpx.get(
        f"{wa.url}/whatsapp/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    ):
        bad = httpx.get(f"{wa.url}/whatsapp/webhook", params=params)
        assert bad.status_code == 403 and "1" not in bad.text


def test_text_button_list_location_image_reach_rasa_and_replies_render(wa: Gateway, graph: FakeGraph) -> None:
    expected_sender = sender_id(wa.settings.sender_id_key, "whatsapp", WA_ID)

    assert post(wa, delivery({"type": "text", "text": {"body": "ada sampah menumpuk"}})).status_code == 200
    assert wa.rasa.received[0] == {
        "sender": expected_sender,
        "message": "ada sampah menumpuk",
        "metadata": {"channel": "whatsapp"},
    }
    sent = graph.messages()
    assert sent[0] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": "Diterima: ada sampah menumpuk", "preview_url": False},
    }
    # Two buttons → interactive reply buttons with the payload as id.
    interactive = sent[1]["interactive"]
    assert sent[1]["type"] == "interactive" and interactive["type"] == "button"
    assert interactive["body"] == {"text": "Ada lagi?"}
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": "/lapor_pengaduan", "title": "Lapor masalah"},
        {"id": "/cek_status_laporan", "title": "Cek status"},
    ]

    post(
        wa,
        delivery(
            {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "/lapor_pengaduan", "title": "Lapor masalah"},
                },
            }
        ),
    )
    post(
        wa,
        delivery(
            {
                "type": "interactive",
                "interactive": {"type": "list_reply", "list_reply": {"id": "/pesan_homecare", "title": "HomeCare"}},
            }
        ),
    )
    post(
        wa,
        delivery(
            {"type": "location", "location": {"latitude": -5.147665, "longitude": 119.432732, "name": "Pantai Losari"}}
        ),
    )
    post(wa, delivery({"type": "image", "image": {"id": "media-777", "mime_type": "image/jpeg", "caption": "ini"}}))
    messages = wa.rasa.messages()
    assert messages[1:4] == [
        "/lapor_pengaduan",
        "/pesan_homecare",
        '/kirim_lokasi{"latitude": -5.147665, "longitude": 119.432732}',
    ]
    media_url = json.loads(messages[4].removeprefix("/kirim_foto"))["media_url"]
    assert messages[4].startswith("/kirim_foto{") and media_url.startswith(f"{wa.url}/media/")
    assert same_picture(httpx.get(media_url).content)
    assert all(r["sender"] == expected_sender and WA_ID not in r["sender"] for r in wa.rasa.received)
    assert len(graph.messages()) == 10  # two replies per turn


def test_many_options_become_a_list_message_with_short_titles(wa: Gateway, graph: FakeGraph) -> None:
    post(wa, delivery({"type": "text", "text": {"body": "halo"}}))
    sender = wa.rasa.received[0]["sender"]
    buttons = [
        {"title": f"Puskesmas Kecamatan Mamajang nomor {i}", "payload": f'/pilih{{"slot": {i}}}'} for i in range(12)
    ]
    push = {"event_id": "many", "sender": sender, "replies": [{"text": "Pilih jadwal:", "buttons": buttons}]}
    assert wa.internal("/internal/push", push).status_code == 202
    wait_for(lambda: len(graph.messages()) >= 4)
    lists = [m["interactive"] for m in graph.messages()[2:]]
    assert [x["type"] for x in lists] == ["list", "list"]
    rows = [r for x in lists for r in x["action"]["sections"][0]["rows"]]
    assert len(lists[0]["action"]["sections"][0]["rows"]) == 10 and len(rows) == 12
    assert all(len(r["title"]) <= 24 for r in rows)
    assert rows[11]["id"] == '/pilih{"slot": 11}'
    assert lists[0]["body"]["text"] == "Pilih jadwal:"


def test_push_outside_24h_window_goes_as_template(wa: Gateway, graph: FakeGraph) -> None:
    post(wa, delivery({"type": "text", "text": {"body": "halo"}}))
    sender = wa.rasa.received[0]["sender"]
    db = GatewayDB(wa.settings.gateway_database_url)
    with db.begin() as session:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
        session.execute(update(Sender).where(Sender.sender_id == sender).values(last_inbound_at=old))
    db.dispose()
    event = {
        "event_id": "ev-wa-1",
        "type": "complaint.status_changed",
        "ticket": "JKL-2026-000200",
        "status": "proses",
        "status_label": "Proses",
        "note": "Truk sampah dijadwalkan",
        "channel": "whatsapp",
        "address": sender,
        "occurred_at": None,
    }
    assert wa.internal("/internal/notify", event).status_code == 202
    wait_for(lambda: len(graph.messages()) >= 3)
    template = graph.messages()[2]
    assert template["type"] == "template"
    assert template["template"]["name"] == wa.settings.whatsapp_status_template
    assert template["template"]["language"] == {"code": "id"}
    params = [p["text"] for p in template["template"]["components"][0]["parameters"]]
    assert params == ["JKL-2026-000200", "Proses", "Truk sampah dijadwalkan"]


def test_push_inside_window_is_a_normal_message(wa: Gateway, graph: FakeGraph) -> None:
    post(wa, delivery({"type": "text", "text": {"body": "halo"}}))
    event = {
        "event_id": "ev-wa-2",
        "type": "complaint.status_changed",
        "ticket": "JKL-2026-000201",
        "status": "selesai",
        "status_label": "Selesai",
        "note": "",
        "channel": "whatsapp",
        "address": wa.rasa.received[0]["sender"],
        "occurred_at": None,
    }
    assert wa.internal("/internal/notify", event).status_code == 202
    wait_for(lambda: len(graph.messages()) >= 3)
    message = graph.messages()[2]
    assert message["type"] == "interactive"
    assert message["interactive"]["body"]["text"].startswith("Laporan JKL-2026-000201 kini berstatus Selesai.")
    ids = [b["reply"]["id"] for b in message["interactive"]["action"]["buttons"]]
    assert ids == ['/sudah_beres{"nomor_tiket": "JKL-2026-000201"}', '/belum_beres{"nomor_tiket": "JKL-2026-000201"}']


def test_same_delivery_three_times_in_parallel_gives_one_reply(wa: Gateway, graph: FakeGraph) -> None:
    payload = delivery({"type": "text", "text": {"body": "pohon tumbang"}})
    wa.rasa.delay = 0.3
    with ThreadPoolExecutor(3) as pool:
        codes = list(pool.map(lambda _: post(wa, payload).status_code, range(3)))
    assert codes == [200, 200, 200]
    assert wa.rasa.messages() == ["pohon tumbang"]
    assert len(graph.messages()) == 2


@pytest.mark.parametrize(
    "case", ["missing", "empty", "wrong-secret", "changed-body", "wrong-prefix", "no-prefix", "truncated"]
)
def test_forged_whatsapp_deliveries_are_refused(wa: Gateway, case: str) -> None:
    payload = delivery({"type": "text", "text": {"body": "halo"}})
    body = json.dumps(payload).encode()
    good = sign(body)
    signature: str | None
    sent_body = body
    if case == "missing":
        signature = None
    elif case == "empty":
        signature = ""
    elif case == "wrong-secret":
        signature = sign(body, "not-the-secret")
    elif case == "changed-body":
        signature = good
        sent_body = body.replace(b"halo", b"hal0")
    elif case == "wrong-prefix":
        signature = "sha1=" + good.removeprefix("sha256=")
    elif case == "no-prefix":
        signature = good.removeprefix("sha256=")
    else:
        signature = good[:-2]
    response = post(wa, payload, signature=signature, body=sent_body)
    assert response.status_code in (401, 403)
    assert wa.rasa.received == []


def test_queued_push_is_retried_until_the_graph_api_recovers(wa: Gateway, graph: FakeGraph) -> None:
    post(wa, delivery({"type": "text", "text": {"body": "halo"}}))
    graph.fail_next = 2
    push = {"event_id": "retry-1", "sender": wa.rasa.received[0]["sender"], "replies": [{"text": "Pengingat jadwal"}]}
    assert wa.internal("/internal/push", push).status_code == 202
    wait_for(lambda: len(graph.messages()) >= 3, timeout=20)
    assert graph.failures == 2
    assert graph.messages()[2]["text"]["body"] == "Pengingat jadwal"


def test_flooding_sender_gets_one_polite_reply_then_silence(gateway_factory: GatewayFactory, graph: FakeGraph) -> None:
    with gateway_factory(**whatsapp_settings(graph, gateway_rate_limit_per_minute=3)) as gw:
        for i in range(6):
            post(gw, delivery({"type": "text", "text": {"body": f"spam {i}"}}))
        assert gw.rasa.messages() == ["spam 0", "spam 1", "spam 2"]
        bodies = [m["text"]["body"] for m in graph.messages() if m["type"] == "text"]
        assert sum("terlalu banyak" in b for b in bodies) == 1


def test_photos_are_counted_per_sender(gateway_factory: GatewayFactory, graph: FakeGraph) -> None:
    with gateway_factory(**whatsapp_settings(graph, gateway_sender_photos_per_hour=2)) as gw:
        for _ in range(3):
            post(gw, delivery({"type": "image", "image": {"id": "media-777", "mime_type": "image/jpeg"}}))
        assert sum(m.startswith("/kirim_foto") for m in gw.rasa.messages()) == 2
        assert len(list(gw.settings.media_dir.iterdir())) == 2
        bodies = [m["text"]["body"] for m in graph.messages() if m["type"] == "text"]
        assert any("foto yang dikirim sudah terlalu banyak" in b for b in bodies)
