"""Conversation signals through the real backend served over HTTP, on SQLite and PostgreSQL:
recording (API key, validation, masking before storage), who may read them (supervisor: emergency
counts; editor or supervisor: unanswered questions; agents neither; editors no citizens' data),
exact emergency counts around day boundaries in the city's zone, and retention."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from citybot.backend.models import ConversationSignal
from citybot.backend.services import agents, retention, signals
from tests.backend.conftest import API_KEY, Backend, make_settings
from tests.gateway.servers import serve

NIK = "3174012345678901"
PHONE = "081234567890"


@pytest.fixture(scope="module")
def base_url(backend: Backend) -> Iterator[str]:
    with serve(backend.app) as url:
        yield url


def token_for(backend: Backend, role: str) -> str:
    with backend.db.writing() as session:
        agent = agents.upsert_agent(session, f"{role}-{uuid.uuid4().hex[:8]}", role, "kata-sandi-uji-123")
        token, _ = agents.issue_token(session, agent)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def stored(backend: Backend, marker: str) -> list[ConversationSignal]:
    with backend.db.read() as session:
        rows = session.scalars(select(ConversationSignal).where(ConversationSignal.text.contains(marker))).all()
        return list(rows)


def test_recording_needs_the_api_key(base_url: str) -> None:
    body = {"kind": "not_understood", "text": "apa ini"}
    assert httpx.post(f"{base_url}/api/v1/signals", json=body).status_code == 401
    wrong = {"X-API-Key": "bukan-kuncinya"}
    assert httpx.post(f"{base_url}/api/v1/signals", json=body, headers=wrong).status_code == 401


def test_text_is_masked_before_it_is_stored(backend: Backend, base_url: str) -> None:
    marker = uuid.uuid4().hex[:10]
    text = f"{marker} nama saya Budi Santoso, NIK {NIK} hp {PHONE} email budi@contoh.id mau tanya izin hajatan"
    body = {
        "kind": "low_confidence",
        "text": text,
        "channel": "telegram",
        "closest_docs": [{"id": "a-b", "score": 0.4}],
    }
    response = httpx.post(f"{base_url}/api/v1/signals", json=body, headers={"X-API-Key": API_KEY})
    assert response.status_code == 202, response.text
    [row] = stored(backend, marker)
    assert NIK not in row.text and PHONE not in row.text and "Budi" not in row.text and "@" not in row.text
    assert row.text == f"{marker} [nama], NIK 3174************ hp 0812******** email [email] mau tanya izin hajatan"
    assert row.closest_docs == [{"id": "a-b", "score": 0.4}] and row.channel == "telegram"
    assert row.jurisdiction == backend.settings.jurisdiction_id


def test_long_text_is_cut_and_emergencies_keep_no_text(backend: Backend, base_url: str) -> None:
    marker = uuid.uuid4().hex[:10]
    long_text = f"{marker} " + "kenapa jalan di depan rumah belum diperbaiki " * 40
    key = {"X-API-Key": API_KEY}
    assert httpx.post(f"{base_url}/api/v1/signals", json={"kind": "handoff", "text": long_text}, headers=key).is_success
    [row] = stored(backend, marker)
    assert len(row.text) == 500
    area = f"Kel-{marker}"
    emergency = {"kind": "emergency", "subtype": "medis", "kelurahan": area, "text": f"ibu saya {marker} sesak"}
    assert httpx.post(f"{base_url}/api/v1/signals", json=emergency, headers=key).status_code == 202
    with backend.db.read() as session:
        [kept] = session.scalars(select(ConversationSignal).where(ConversationSignal.kelurahan == area)).all()
    assert (kept.kind, kept.subtype, kept.text) == ("emergency", "medis", "")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"kind": "gossip", "text": "x"},
        {"kind": "handoff", "text": "x" * 2001},
        {"kind": "emergency", "subtype": "Banjir!"},
        {"kind": "handoff", "closest_docs": [{"id": "../etc", "score": 0.1}]},
        {"kind": "handoff", "closest_docs": [{"id": "a", "score": 1e9}]},
        {"kind": "handoff", "closest_docs": [{"id": "a", "score": 0.1}] * 11},
        {"kind": "handoff", "channel": "Tele gram"},
    ],
)
def test_bad_input_is_a_clear_422(base_url: str, body: dict[str, object]) -> None:
    response = httpx.post(f"{base_url}/api/v1/signals", json=body, headers={"X-API-Key": API_KEY})
    assert response.status_code == 422, response.text


def test_roles_decide_who_reads_what(backend: Backend, base_url: str) -> None:
    editor, agent, supervisor = (token_for(backend, role) for role in ("editor", "agent", "supervisor"))
    emergencies, unanswered = (
        f"{base_url}/api/v1/agent/insight/emergencies",
        f"{base_url}/api/v1/agent/signals/unanswered",
    )
    assert httpx.get(emergencies).status_code == 401
    assert httpx.get(unanswered, headers=bearer("tidak-valid")).status_code == 401
    assert httpx.get(unanswered, headers={"X-API-Key": API_KEY}).status_code == 401  # the bot's key is no role
    assert httpx.get(emergencies, headers=bearer(supervisor)).status_code == 200
    assert httpx.get(unanswered, headers=bearer(supervisor)).status_code == 200
    assert httpx.get(unanswered, headers=bearer(editor)).status_code == 200
    refused = httpx.get(emergencies, headers=bearer(editor))
    assert refused.status_code == 403 and refused.json()["code"] == "supervisor_required"
    assert httpx.get(emergencies, headers=bearer(agent)).status_code == 403
    assert httpx.get(unanswered, headers=bearer(agent)).json()["code"] == "editor_required"
    # Editors never see citizens' complaints or bookings; agents still do.
    for path in ("complaints", "bookings"):
        refused = httpx.get(f"{base_url}/api/v1/agent/{path}", headers=bearer(editor))
        assert refused.status_code == 403 and refused.json()["code"] == "casework_role_required"
        assert httpx.get(f"{base_url}/api/v1/agent/{path}", headers=bearer(agent)).status_code == 200
    change = httpx.post(
        f"{base_url}/api/v1/agent/complaints/JKL-2026-000001/status",
        json={"status": "proses", "note": "x"},
        headers=bearer(editor),
    )
    assert change.status_code == 403


def test_unanswered_lists_masked_questions_newest_first(backend: Backend, base_url: str) -> None:
    marker = uuid.uuid4().hex[:10]
    key = {"X-API-Key": API_KEY}
    sent = [
        {"kind": "not_understood", "text": f"{marker} satu"},
        {"kind": "low_confidence", "text": f"{marker} dua hp {PHONE}", "closest_docs": [{"id": "d-1", "score": 0.31}]},
        {"kind": "negative_feedback", "text": f"{marker} tiga"},
        {"kind": "handoff", "text": f"{marker} empat"},
        {"kind": "emergency", "subtype": "kebakaran", "text": f"{marker} lima"},
    ]
    for body in sent:
        assert httpx.post(f"{base_url}/api/v1/signals", json=body, headers=key).status_code == 202
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    with backend.db.writing() as session:
        signals.record(
            session, jurisdiction=backend.settings.jurisdiction_id, kind="handoff", text=f"{marker} lama", now=old
        )
    editor = token_for(backend, "editor")
    page = httpx.get(
        f"{base_url}/api/v1/agent/signals/unanswered", params={"since_days": 7}, headers=bearer(editor)
    ).json()
    mine = [item for item in page["items"] if item["text"].startswith(marker)]
    assert [item["text"] for item in mine] == [
        f"{marker} empat",
        f"{marker} tiga",
        f"{marker} dua hp 0812********",
        f"{marker} satu",
    ]
    assert [item["kind"] for item in mine] == ["handoff", "negative_feedback", "low_confidence", "not_understood"]
    assert mine[2]["closest_docs"] == [{"id": "d-1", "score": 0.31}]
    wider = httpx.get(
        f"{base_url}/api/v1/agent/signals/unanswered", params={"since_days": 9}, headers=bearer(editor)
    ).json()
    assert f"{marker} lama" in [item["text"] for item in wider["items"]]
    one = httpx.get(f"{base_url}/api/v1/agent/signals/unanswered", params={"limit": 1}, headers=bearer(editor)).json()
    assert len(one["items"]) == 1


# Asia/Jakarta (WIB) is UTC+7: local midnight is 17:00 UTC of the day before.
NOW = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # 10:00 WIB on 30 November


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def seed_emergencies(backend: Backend) -> str:
    city = f"uji-{uuid.uuid4().hex[:8]}"  # a jurisdiction of its own: counts are exact
    rows = [
        ("banjir", "Cideng", utc(29, 17, 30)),  # 00:30 WIB on the 30th: today
        ("banjir", "Cideng", utc(30, 1)),
        ("banjir", "Cideng", utc(30, 2, 59)),
        ("banjir", "Kemayoran", utc(30, 0)),
        ("kebakaran", None, utc(30, 2)),
        ("banjir", "Cideng", utc(29, 16, 59)),  # 23:59 WIB on the 29th: yesterday
        ("medis", "Gambir", utc(25, 10)),
        ("medis", "Gambir", utc(23, 17, 0)),  # 00:00 WIB on the 24th: the window's first minute
        ("medis", "Gambir", utc(23, 16, 59)),  # 23:59 WIB on the 23rd: outside a 7-day window
    ]
    with backend.db.writing() as session:
        for kind, area, at in rows:
            signals.record(session, jurisdiction=city, kind="emergency", subtype=kind, kelurahan=area, now=at)
        signals.record(session, jurisdiction=city, kind="handoff", text="bukan darurat", now=utc(30, 1))
        signals.record(session, jurisdiction="kota-lain", kind="emergency", subtype="banjir", now=utc(30, 1))
    return city


def test_emergency_counts_by_city_day(backend: Backend) -> None:
    city = seed_emergencies(backend)
    with backend.db.read() as session:
        report = signals.emergencies(session, city, "Asia/Jakarta", 7, now=NOW).model_dump(mode="json")
    assert report["today"] == [
        {"type": "banjir", "kelurahan": "Cideng", "count": 3},
        {"type": "banjir", "kelurahan": "Kemayoran", "count": 1},
        {"type": "kebakaran", "kelurahan": None, "count": 1},
    ]
    assert report["week"] == [
        {"type": "banjir", "kelurahan": "Cideng", "count": 4},
        {"type": "medis", "kelurahan": "Gambir", "count": 2},
        {"type": "banjir", "kelurahan": "Kemayoran", "count": 1},
        {"type": "kebakaran", "kelurahan": None, "count": 1},
    ]
    assert report["by_day"] == [
        {"day": "2026-11-24", "type": "medis", "count": 1},
        {"day": "2026-11-25", "type": "medis", "count": 1},
        {"day": "2026-11-29", "type": "banjir", "count": 1},
        {"day": "2026-11-30", "type": "banjir", "count": 4},
        {"day": "2026-11-30", "type": "kebakaran", "count": 1},
    ]
    # The same moments read in WITA (UTC+8): 16:59 UTC is 00:59 on the next day there.
    with backend.db.read() as session:
        wita = signals.emergencies(session, city, "Asia/Makassar", 1, now=NOW).model_dump(mode="json")
    assert wita["today"] == [
        {"type": "banjir", "kelurahan": "Cideng", "count": 4},
        {"type": "banjir", "kelurahan": "Kemayoran", "count": 1},
        {"type": "kebakaran", "kelurahan": None, "count": 1},
    ]
    assert wita["by_day"] == [
        {"day": "2026-11-30", "type": "banjir", "count": 5},
        {"day": "2026-11-30", "type": "kebakaran", "count": 1},
    ]


def test_emergency_endpoint_counts_todays_replies(backend: Backend, base_url: str) -> None:
    area = f"Kel-{uuid.uuid4().hex[:8]}"
    key = {"X-API-Key": API_KEY}
    for subtype in ("banjir", "banjir", "kebakaran"):
        body = {"kind": "emergency", "subtype": subtype, "kelurahan": area}
        assert httpx.post(f"{base_url}/api/v1/signals", json=body, headers=key).status_code == 202
    supervisor = token_for(backend, "supervisor")
    report = httpx.get(f"{base_url}/api/v1/agent/insight/emergencies", headers=bearer(supervisor)).json()
    mine = sorted((c["type"], c["count"]) for c in report["today"] if c["kelurahan"] == area)
    assert mine == [("banjir", 2), ("kebakaran", 1)]
    assert sorted((c["type"], c["count"]) for c in report["week"] if c["kelurahan"] == area) == mine
    assert (
        httpx.get(
            f"{base_url}/api/v1/agent/insight/emergencies", params={"days": 0}, headers=bearer(supervisor)
        ).status_code
        == 422
    )


def test_retention_deletes_signals_with_the_conversations(backend: Backend) -> None:
    marker = uuid.uuid4().hex[:10]
    now = dt.datetime.now(dt.UTC)
    with backend.db.writing() as session:
        for age in (181, 179):
            signals.record(
                session,
                jurisdiction=backend.settings.jurisdiction_id,
                kind="not_understood",
                text=f"{marker} {age}",
                now=now - dt.timedelta(days=age),
            )
    settings = make_settings(backend.url)
    assert settings.retention_conversations_days == 180
    removed = retention.purge(backend.db, settings, now=now)
    assert removed["conversation signals"] >= 1
    assert [row.text for row in stored(backend, marker)] == [f"{marker} 179"]
