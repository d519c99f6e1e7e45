"""Knowledge answers counted per document: the internal endpoint (API key only), the 30-day
ranking editors read, and the retention sweep that forgets records after 90 days."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import delete, select

from citybot.backend.models import KnowledgeShown
from citybot.backend.services import knowledge_stats, retention
from tests.backend.conftest import Backend, make_settings, transport

NOW = dt.datetime.now(dt.UTC)


def doc() -> str:
    return f"uji-{uuid.uuid4().hex[:10]}"


async def test_recording_needs_the_api_key(backend: Backend) -> None:
    async with httpx.AsyncClient(transport=transport(backend.app), base_url="http://backend") as anonymous:
        assert (await anonymous.post("/api/v1/knowledge/shown", json={"doc_id": "x"})).status_code == 401
        assert (await anonymous.get("/api/v1/knowledge/shown")).status_code == 401
        wrong = {"X-API-Key": "not-the-key"}
        assert (await anonymous.get("/api/v1/knowledge/shown", headers=wrong)).status_code == 401


async def test_shown_documents_are_ranked_by_count(http: httpx.AsyncClient) -> None:
    often, once = doc(), doc()
    for name in (often, often, often, once):
        response = await http.post("/api/v1/knowledge/shown", json={"doc_id": name})
        assert response.status_code == 202, response.text
    body = (await http.get("/api/v1/knowledge/shown", params={"days": 30, "limit": 500})).json()
    counts = {item["doc_id"]: item["count"] for item in body["items"]}
    assert counts[often] == 3 and counts[once] == 1
    order = [item["doc_id"] for item in body["items"]]
    assert order.index(often) < order.index(once)
    assert body["days"] == 30


async def test_bad_input_is_a_clear_422(http: httpx.AsyncClient) -> None:
    for payload in ({}, {"doc_id": ""}, {"doc_id": "../etc/passwd"}, {"doc_id": "x" * 81}):
        response = await http.post("/api/v1/knowledge/shown", json=payload)
        assert response.status_code == 422, (payload, response.text)
    assert (await http.get("/api/v1/knowledge/shown", params={"days": 0})).status_code == 422


def test_window_excludes_older_records(backend: Backend) -> None:
    name = doc()
    with backend.db.writing() as session:
        knowledge_stats.record(session, name, now=NOW - dt.timedelta(days=40))
        knowledge_stats.record(session, name, now=NOW - dt.timedelta(days=2))
    with backend.db.read() as session:
        month = {i.doc_id: i for i in knowledge_stats.most_shown(session, 30, 500).items}
        quarter = {i.doc_id: i.count for i in knowledge_stats.most_shown(session, 60, 500).items}
    assert month[name].count == 1 and quarter[name] == 2
    assert abs((month[name].last_shown - (NOW - dt.timedelta(days=2))).total_seconds()) < 5


def test_retention_deletes_records_older_than_90_days(backend: Backend) -> None:
    old, recent = doc(), doc()
    with backend.db.writing() as session:
        session.execute(delete(KnowledgeShown).where(KnowledgeShown.shown_at < NOW - dt.timedelta(days=90)))
        knowledge_stats.record(session, old, now=NOW - dt.timedelta(days=91))
        knowledge_stats.record(session, recent, now=NOW - dt.timedelta(days=89))
    settings = make_settings(backend.url)
    assert settings.retention_knowledge_shown_days == 90
    removed = retention.purge(backend.db, settings, now=NOW)
    assert removed["knowledge shown"] == 1
    with backend.db.read() as session:
        left = set(session.scalars(select(KnowledgeShown.doc_id).where(KnowledgeShown.doc_id.in_([old, recent]))))
    assert left == {recent}


def test_only_an_answer_sent_records_its_document(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """The action path reaches a real backend over HTTP in the background when it sends an answer
    (actions/layanan_info.py `say_answer`); candidates merely offered as buttons do not count."""
    import asyncio
    from types import SimpleNamespace

    from rasa_sdk.executor import CollectingDispatcher

    from actions.layanan_info import candidates_from, say_answer
    from citybot.settings import get_settings
    from tests.backend.conftest import API_KEY
    from tests.gateway.servers import free_port, serve, wait_for

    answered, offered = doc(), doc()
    port = free_port()
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("BACKEND_API_KEY", API_KEY)
    monkeypatch.setenv("KNOWLEDGE_SHOWN_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()
    hits = [
        SimpleNamespace(
            doc_id=name,
            passage_id=f"{name}#1",
            title="Uji",
            section="Syarat",
            text="KTP.",
            sources=["https://oss.go.id"],
            reviewed="2026-11-30",
            scope="",
        )
        for name in (answered, offered)
    ]
    dispatcher = CollectingDispatcher()

    async def answer() -> None:
        candidates = candidates_from(hits)  # both offered, one answered
        say_answer(dispatcher, candidates[0], candidates[0]["text"])
        await asyncio.sleep(0)  # the reply is already built; the record runs on its own task
        from citybot.client import background

        await background.wait_pending()

    def count(name: str) -> int:
        with backend.db.read() as session:
            return next((i.count for i in knowledge_stats.most_shown(session, 30, 500).items if i.doc_id == name), 0)

    try:
        with serve(backend.app, port):
            asyncio.run(answer())
            assert dispatcher.messages[0]["response"] == "utter_jawaban"
            assert dispatcher.messages[0]["sumber"] == "Uji · https://oss.go.id · diperiksa 30 Nov 2026"
            assert wait_for(lambda: count(answered) == 1, timeout=10)
            assert count(offered) == 0
    finally:
        get_settings.cache_clear()
