"""Agent status changes, the signed notify outbox (at-least-once), and "sudah beres?"."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import select

from citybot import signing
from citybot.backend.models import OutboxEvent
from citybot.backend.services.outbox import dispatch_once
from citybot.client import CityClient, Rejected, Unauthorized
from tests.backend.conftest import BOOTSTRAP_PASSWORD, NOTIFY_SECRET, Backend, Receiver
from tests.backend.helpers import file_complaint, unique

pytestmark = pytest.mark.postgres


async def supervisor_token(city: CityClient) -> str:
    return (await city.agent_login("supervisor", BOOTSTRAP_PASSWORD)).token


async def agent_token(backend: Backend, city: CityClient) -> str:
    from citybot.backend.services import agents

    name = unique("agent")
    with backend.db.writing() as session:
        agents.upsert_agent(session, name, "agent", "agent-password-1")
    return (await city.agent_login(name, "agent-password-1")).token


def deliver(backend: Backend, receiver: Receiver) -> int:
    total = 0
    for _ in range(5):
        result = dispatch_once(backend.db, url=receiver.url, secret=NOTIFY_SECRET)
        total += result.delivered
        if result.delivered == 0 and result.failed == 0:
            break
    return total


def make_all_due(backend: Backend) -> None:
    from sqlalchemy import update

    with backend.db.writing() as session:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.delivered_at.is_(None))
            .values(next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )


async def test_login_rejects_wrong_password_and_roles_are_enforced(backend: Backend, city: CityClient) -> None:
    with pytest.raises(Unauthorized):
        await city.agent_login("supervisor", "wrong-password")
    with pytest.raises(Unauthorized):
        await city.agent_complaints("not-a-token")
    token = await agent_token(backend, city)
    complaint = await file_complaint(city, lat=-6.4001, long=106.9001)
    with pytest.raises(Rejected) as denied:
        await city.agent_change_status(token, complaint.ticket, status="ditolak", note="bukan kewenangan")
    assert denied.value.status_code == 403 and denied.value.code == "supervisor_required"
    with pytest.raises(Rejected) as bad_move:
        await city.agent_change_status(token, complaint.ticket, status="selesai", note="loncat")
    assert bad_move.value.code == "transition_not_allowed"
    done = await city.agent_change_status(
        await supervisor_token(city), complaint.ticket, status="ditolak", note="Bukan kewenangan pemda."
    )
    assert done.open311_status == "closed" and done.status_label == "Ditolak"


async def test_agent_lists_complaints_with_filters(city: CityClient) -> None:
    token = await supervisor_token(city)
    page = await city.agent_complaints(token, status="selesai")
    assert page.total >= 1 and all(c.status == "selesai" for c in page.items)
    by_category = await city.agent_complaints(token, category="sampah", page_size=100)
    assert by_category.items and all(c.service_code == "sampah" for c in by_category.items)
    today = dt.date.today()
    recent = await city.agent_complaints(token, date_from=today - dt.timedelta(days=2), date_to=today)
    old = await city.agent_complaints(token, date_to=today - dt.timedelta(days=30))
    assert recent.total >= 1 and old.total == 0


async def test_status_change_notifies_every_subscriber_signed_and_survives_a_down_gateway(
    backend: Backend, city: CityClient, receiver: Receiver
) -> None:
    deliver(backend, receiver)  # drain events left by other tests
    receiver.received.clear()
    reporter, supporter = unique("tg"), unique("wa")
    complaint = await file_complaint(city, address=reporter, lat=-6.4101, long=106.9101)
    await city.support_complaint(complaint.ticket, channel="whatsapp", address=supporter)
    token = await supervisor_token(city)
    await city.agent_change_status(token, complaint.ticket, status="proses", note="Petugas menuju lokasi.")

    receiver.statuses = [503, 503]  # the gateway is down for the first attempts
    first = dispatch_once(backend.db, url=receiver.url, secret=NOTIFY_SECRET)
    assert first.failed == 2 and first.delivered == 0
    with backend.db.read() as session:
        pending = session.scalars(select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None))).all()
        assert len(pending) == 2 and all(e.attempts == 1 and e.last_error == "HTTP 503" for e in pending)
        assert all(e.next_attempt_at > dt.datetime.now(dt.UTC) for e in pending)  # backoff
    assert dispatch_once(backend.db, url=receiver.url, secret=NOTIFY_SECRET).delivered == 0  # not yet due
    make_all_due(backend)
    assert deliver(backend, receiver) == 2
    events = []
    for headers, body in receiver.received:
        assert signing.verify(NOTIFY_SECRET, "POST", "/internal/notify", body, headers["x-citybot-signature"])
        events.append(json.loads(body))
    assert {(e["channel"], e["address"]) for e in events} == {("telegram", reporter), ("whatsapp", supporter)}
    event = events[0]
    assert set(event) == {
        "event_id",
        "type",
        "ticket",
        "status",
        "status_label",
        "note",
        "channel",
        "address",
        "occurred_at",
    }
    assert event["type"] == "complaint.status_changed" and event["ticket"] == complaint.ticket
    assert (event["status"], event["status_label"], event["note"]) == ("proses", "Proses", "Petugas menuju lokasi.")
    assert dt.datetime.fromisoformat(event["occurred_at"]).utcoffset() == dt.timedelta(hours=7)
    assert len({e["event_id"] for e in events}) == 2
    assert deliver(backend, receiver) == 0  # delivered events are not sent again


async def test_unreachable_gateway_keeps_events_queued(backend: Backend, city: CityClient) -> None:
    complaint = await file_complaint(city, lat=-6.4201, long=106.9201)
    await city.agent_change_status(await supervisor_token(city), complaint.ticket, status="koordinasi", note="")
    result = dispatch_once(backend.db, url="http://127.0.0.1:9/closed-port", secret=NOTIFY_SECRET, timeout=0.5)
    assert result.failed >= 1
    with backend.db.read() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.payload.contains(complaint.ticket))).all()
        assert rows and all(r.delivered_at is None and "ConnectError" in (r.last_error or "") for r in rows)


async def test_sudah_beres_confirms_or_reopens(backend: Backend, city: CityClient, receiver: Receiver) -> None:
    reporter = unique("tg")
    complaint = await file_complaint(city, address=reporter, lat=-6.4301, long=106.9301)
    token = await supervisor_token(city)
    with pytest.raises(Rejected) as early:
        await city.answer_resolution(complaint.ticket, channel="telegram", address=reporter, resolved=True)
    assert early.value.code == "not_awaiting_confirmation"
    for status in ("disposisi", "proses", "selesai"):
        await city.agent_change_status(token, complaint.ticket, status=status, note=f"ke {status}")
    done = await city.get_complaint(complaint.ticket)
    assert done.awaiting_confirmation and done.open311_status == "closed"
    with pytest.raises(Rejected) as stranger:
        await city.answer_resolution(complaint.ticket, channel="telegram", address="someone-else", resolved=True)
    assert stranger.value.code == "not_reporter" and stranger.value.status_code == 403

    reopened = await city.answer_resolution(
        complaint.ticket, channel="telegram", address=reporter, resolved=False, note="Lubangnya masih ada."
    )
    assert reopened.status == "proses" and reopened.open311_status == "open"
    assert "Lubangnya masih ada." in reopened.history[-1].note
    receiver.received.clear()
    make_all_due(backend)
    deliver(backend, receiver)
    statuses = [json.loads(b)["status"] for _, b in receiver.received if complaint.ticket.encode() in b]
    assert "proses" in statuses

    await city.agent_change_status(token, complaint.ticket, status="selesai", note="Sudah ditambal ulang.")
    confirmed = await city.answer_resolution(complaint.ticket, channel="telegram", address=reporter, resolved=True)
    assert confirmed.status == "selesai" and not confirmed.awaiting_confirmation
    assert confirmed.history[-1].actor == "pelapor"


async def test_closed_complaints_cannot_be_supported(city: CityClient, http: httpx.AsyncClient) -> None:
    complaint = await file_complaint(city, lat=-6.4401, long=106.9401)
    await city.agent_change_status(await supervisor_token(city), complaint.ticket, status="dibatalkan", note="")
    with pytest.raises(Rejected) as closed:
        await city.support_complaint(complaint.ticket, channel="web", address=unique())
    assert closed.value.code == "complaint_closed"
