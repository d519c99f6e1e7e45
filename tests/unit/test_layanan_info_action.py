"""action_jawab_pertanyaan against the real retrieval index built from knowledge/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.layanan_info import ActionJawabPertanyaan, ActionTawarkanKandidat
from citybot.retrieval import get_retriever
from citybot.settings import Settings, get_settings
from tests.services import missing_prerequisite

ROOT = Path(__file__).resolve().parents[2]


def index_path() -> Path:
    """Where `make index` builds the active city's index (var/index/<profile>). A fresh Settings,
    not the cached one: the tests set other values in the environment after asking."""
    return Settings().index_dir


@pytest.fixture
def built_index() -> Path:
    """The index `make index` builds; without it these tests skip locally and fail under CI=true."""
    if not (index_path() / "manifest.json").exists():
        missing_prerequisite(f"no retrieval index in {index_path()}: run `make index`")
    return index_path()


needs_index = pytest.mark.usefixtures("built_index")


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "bot/domain/layanan_info.yml").read_text(encoding="utf-8"))


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    get_retriever.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
    get_retriever.cache_clear()


def tracker(
    text: str,
    slots: dict[str, Any] | None = None,
    loop: str | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    message = {"text": text, "intent": {"name": "tanya_layanan", "confidence": 0.99}, "entities": entities or []}
    return Tracker("t", slots or {}, message, [], False, None, {"name": loop} if loop else {}, "action_listen")


async def run(action: Any, t: Tracker, domain: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return dispatcher.messages, events


@needs_index
async def test_confident_answer_then_other_candidates(fresh_settings: pytest.MonkeyPatch, domain: dict) -> None:
    fresh_settings.setenv("INDEX_DIR", str(index_path()))
    messages, events = await run(ActionJawabPertanyaan(), tracker("syarat PBG apa saja?"), domain)
    assert [m["response"] for m in messages] == ["utter_jawaban", "utter_apakah_terjawab"]
    assert messages[0]["sumber"].startswith("Persetujuan Bangunan Gedung")
    stored = next(e["value"] for e in events if e["name"] == "jawaban_kandidat")
    assert stored["items"][0]["doc_id"] == "perizinan-pbg" and len(stored["items"]) >= 2

    messages, _ = await run(ActionTawarkanKandidat(), tracker("tidak", {"jawaban_kandidat": stored}), domain)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert messages[0]["response"] == "utter_kandidat_lain" and payloads[-1] == "/bicara_petugas"
    assert "perizinan-pbg" not in " ".join(payloads)

    chosen = stored["items"][1]["doc_id"]
    t = tracker(
        '/tanya_layanan{"dokumen": "x"}',
        {"jawaban_kandidat": stored},
        entities=[{"entity": "dokumen", "value": chosen}],
    )
    messages, _ = await run(ActionJawabPertanyaan(), t, domain)
    assert messages[0]["response"] == "utter_jawaban" and messages[0]["sumber"].startswith(stored["items"][1]["title"])


@needs_index
async def test_unsure_offers_titles_and_inside_a_form_no_feedback(
    fresh_settings: pytest.MonkeyPatch, domain: dict
) -> None:
    fresh_settings.setenv("INDEX_DIR", str(index_path()))
    messages, _ = await run(ActionJawabPertanyaan(), tracker("resep rendang padang"), domain)
    assert messages[0]["response"] in {"utter_belum_yakin_jawaban", "utter_jawaban_tidak_ditemukan"}
    if messages[0]["response"] == "utter_belum_yakin_jawaban":
        assert messages[0]["buttons"][-1]["payload"] == "/bicara_petugas"

    messages, _ = await run(ActionJawabPertanyaan(), tracker("tarif jaklingko berapa", loop="homecare_form"), domain)
    assert [m["response"] for m in messages] == ["utter_jawaban"]


async def test_missing_index_is_a_polite_reply(
    fresh_settings: pytest.MonkeyPatch, tmp_path: Path, domain: dict
) -> None:
    (tmp_path / "knowledge").mkdir()
    fresh_settings.setenv("INDEX_DIR", str(tmp_path / "index"))
    fresh_settings.setenv("KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    fresh_settings.setenv("EMBEDDING_BACKEND", "none")
    messages, _ = await run(ActionJawabPertanyaan(), tracker("syarat PBG apa saja?"), domain)
    assert [m["response"] for m in messages] in (["utter_jawaban_tidak_tersedia"], ["utter_jawaban_tidak_ditemukan"])


@needs_index
async def test_slow_retrieval_is_bounded(fresh_settings: pytest.MonkeyPatch, domain: dict) -> None:
    import time

    # A cold retriever (index and model loading) takes far longer than this bound.
    fresh_settings.setenv("INDEX_DIR", str(index_path()))
    fresh_settings.setenv("RETRIEVAL_TIMEOUT_SECONDS", "0.001")
    started = time.monotonic()
    messages, _ = await run(ActionJawabPertanyaan(), tracker("syarat PBG apa saja?"), domain)
    assert time.monotonic() - started < 1.0
    assert [m["response"] for m in messages] == ["utter_jawaban_tidak_tersedia"]
