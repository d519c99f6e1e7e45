"""The internal API refuses anything not signed with NOTIFY_SECRET over the exact request, and
de-duplicates concurrent copies of one event (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from citybot.gateway.senders import sender_id
from citybot.signing import SIGNATURE_HEADER, sign
from tests.gateway.conftest import Gateway, GatewayFactory
from tests.services import drop_postgres, require_postgres
from tests.webclient import HEADER, new_client_id

PATHS = ["/internal/notify", "/internal/push", "/internal/handoff"]
# Everything an internal call can write: queued replies, handoff state, the message log.
TABLES = ["outbound", "conversations", "messages"]


def _query(gw: Gateway, sql: str, *args: str) -> list[tuple]:
    url = gw.settings.gateway_database_url
    assert url.startswith("sqlite:///"), url
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def stored_rows(gw: Gateway) -> dict[str, int]:
    return {table: _query(gw, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


def conversation_state(gw: Gateway, sender: str) -> tuple | None:
    rows = _query(gw, "SELECT state, summary, reason FROM conversations WHERE sender_id = ?", sender)
    return rows[0] if rows else None


CASES = [
    "missing",
    "empty",
    "wrong-secret",
    "changed-body",
    "body-only-v0",
    "no-time",
    "uppercase-hex",
    "truncated",
    "duplicate-field",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES)
def test_forged_internal_calls_are_401(gateway: Gateway, path: str, case: str) -> None:
    payload = {
        "event_id": "e1",
        "sender": "web-x",
        "replies": [{"text": "hai"}],
        "summary": "s",
        "reason": "r",
        "type": "complaint.status_changed",
        "address": "web-x",
        "channel": "web",
    }
    body = json.dumps(payload).encode()
    secret = gateway.settings.notify_secret
    headers = {"Content-Type": "application/json"}
    sent = body
    good = sign(secret, "POST", path, body)
    now = int(time.time())
    signature = {
        "missing": None,
        "empty": "",
        "wrong-secret": sign(secret + "x", "POST", path, body),
        "changed-body": good,
        "body-only-v0": "sha256=" + good.split("v1=")[1],
        "no-time": "v1=" + good.split("v1=")[1],
        "uppercase-hex": good.upper().replace("T=", "t=").replace("V1=", "v1="),
        "truncated": good[:-4],
        "duplicate-field": f"t={now},{good}",
    }[case]
    if case == "changed-body":
        sent = body.replace(b"hai", b"hei")
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    before = stored_rows(gateway)
    response = httpx.post(f"{gateway.url}{path}", content=sent, headers=headers, timeout=10)
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": "bad signature"}
    assert stored_rows(gateway) == before


def test_correct_signature_is_accepted(gateway: Gateway) -> None:
    client_id = new_client_id(gateway.url)
    httpx.post(f"{gateway.url}/api/messages", headers={HEADER: client_id}, json={"text": "halo"}, timeout=10)
    sender = sender_id(gateway.settings.sender_id_key, "web", client_id)
    before = stored_rows(gateway)
    response = gateway.internal("/internal/handoff", {"sender": sender, "summary": "s", "reason": "r"})
    assert response.status_code == 200
    assert response.json()["status"] in {"queued", "callback"}
    # The handoff took effect: the conversation waits for an agent and the log notes it.
    assert conversation_state(gateway, sender) == (response.json()["status"], "s", "r")
    assert stored_rows(gateway)["messages"] == before["messages"] + 1


def test_non_loopback_clients_are_refused(gateway_factory: GatewayFactory) -> None:
    # Allow only a network the test client is not in: even a valid signature is refused.
    with gateway_factory(internal_allowed_networks="10.99.0.0/16") as gw:
        before = stored_rows(gw)
        response = gw.internal("/internal/handoff", {"sender": "web-x", "summary": "", "reason": ""})
        assert response.status_code == 403
        assert response.json() == {"detail": "forbidden"}
        assert stored_rows(gw) == before


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_gateway(request: pytest.FixtureRequest, gateway_factory: GatewayFactory) -> Iterator[Gateway]:
    if request.param == "sqlite":
        with gateway_factory() as gw:
            yield gw
        return
    url = require_postgres()
    try:
        with gateway_factory(gateway_database_url=url) as gw:
            yield gw
    finally:
        drop_postgres(url)


def test_concurrent_copies_of_one_event_queue_once(any_db_gateway: Gateway) -> None:
    gw = any_db_gateway
    client_id = new_client_id(gw.url)
    httpx.post(f"{gw.url}/api/messages", headers={HEADER: client_id}, json={"text": "halo"}, timeout=10)
    sender = sender_id(gw.settings.sender_id_key, "web", client_id)
    event = {
        "event_id": str(uuid.uuid4()),
        "type": "complaint.status_changed",
        "ticket": "JKL-2026-000300",
        "status": "disposisi",
        "status_label": "Disposisi",
        "note": "Diteruskan ke Dinas Bina Marga",
        "channel": "web",
        "address": sender,
        "occurred_at": None,
    }
    with ThreadPoolExecutor(6) as pool:
        codes = sorted(pool.map(lambda _: gw.internal("/internal/notify", event).status_code, range(6)))
    assert codes == [200] * 5 + [202]
    replies = httpx.get(f"{gw.url}/api/messages/inbox", headers={HEADER: client_id}, timeout=10).json()["replies"]
    assert [r["text"] for r in replies] == [
        "Laporan JKL-2026-000300 kini berstatus Disposisi: Diteruskan ke Dinas Bina Marga"
    ]
