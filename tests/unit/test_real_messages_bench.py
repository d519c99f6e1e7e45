"""The real-message benchmark's reply classifier (bench/real_replies.py) on the real domain.

Replies are built from the response variants in bot/domain/*.yml the way the running stack
sends them (Rasa's REST channel splits a text without buttons at blank lines), so a renamed or
reworded response shows up here instead of as a silently wrong benchmark figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.real_data import load_disagreements
from bench.real_outcomes import FIT, FRAGMENT, LABELS, OUTCOMES, fit, outcome_of_key
from bench.real_replies import ReplyClassifier, default_responses
from bench.real_scores import fit_summary, prf
from tests.unit.rest_replies import sent

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def responses() -> dict[str, list[dict[str, Any]]]:
    return default_responses(model=None)


@pytest.fixture(scope="module")
def classifier(responses: dict[str, list[dict[str, Any]]]) -> ReplyClassifier:
    return ReplyClassifier(responses)


def welcome(responses: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return sent(
        responses, "utter_selamat_datang", sapaan="Selamat pagi", kota="DKI Jakarta", asisten="Asisten Kota DKI Jakarta"
    )


def test_every_domain_response_has_an_outcome(responses: dict[str, list[dict[str, Any]]]) -> None:
    unknown = sorted(k for k in responses if outcome_of_key(k) is None)
    assert unknown == [], f"add these response keys to OUTCOME_BY_KEY / OUTCOME_BY_PREFIX: {unknown}"
    assert {outcome_of_key(k) for k in responses} - {FRAGMENT} <= set(OUTCOMES)


def test_complaint_form_first_question(classifier: ReplyClassifier, responses: dict[str, Any]) -> None:
    replies = [
        *welcome(responses),
        *sent(responses, "utter_pengaduan_mulai"),
        *sent(responses, "utter_ask_pengaduan_kategori"),
    ]
    found = classifier.classify(replies)
    assert found.outcome == "complaint_form"
    assert found.keys == ["utter_selamat_datang", "utter_pengaduan_mulai", "utter_ask_pengaduan_kategori"]
    assert found.unmatched == 0


def test_prefilled_complaint_asks_for_the_location(classifier: ReplyClassifier, responses: dict[str, Any]) -> None:
    replies = [
        *sent(responses, "utter_pengaduan_kategori_dipahami", kategori="Jalan rusak"),
        *sent(responses, "utter_ask_pengaduan_lokasi"),
    ]
    assert classifier.classify(replies).outcome == "complaint_form"


def test_emergency_split_into_paragraphs(classifier: ReplyClassifier, responses: dict[str, Any]) -> None:
    replies = [*welcome(responses), *sent(responses, "utter_darurat")]
    assert len(replies) > 2  # the web channel sends one message per paragraph
    found = classifier.classify(replies)
    assert found.outcome == "emergency"
    assert found.keys == ["utter_selamat_datang", "utter_darurat"]


def test_knowledge_answer_with_source(classifier: ReplyClassifier, responses: dict[str, Any]) -> None:
    passage = "Persyaratan\n• KTP-el asli\n• Kartu Keluarga\n\nProsedur\n• Datang ke kelurahan"
    replies = [
        *welcome(responses),
        *sent(responses, "utter_jawaban", jawaban=passage, sumber="KTP Elektronik"),
        *sent(responses, "utter_apakah_terjawab"),
    ]
    found = classifier.classify(replies)
    assert found.outcome == "knowledge_answer"
    assert found.source == "KTP Elektronik"
    assert found.keys == ["utter_selamat_datang", "utter_jawaban", "utter_apakah_terjawab"]


def test_clarify_refusal_data_rights_and_unknown(classifier: ReplyClassifier, responses: dict[str, Any]) -> None:
    offer = [
        {
            "text": responses["utter_tawarkan_pilihan"][0]["text"],
            "buttons": [{"title": "Melaporkan masalah", "payload": "/lapor_pengaduan"}],
        }
    ]
    assert classifier.classify([*welcome(responses), *offer]).outcome == "clarify"
    assert classifier.classify([*welcome(responses), *sent(responses, "utter_out_of_scope")]).outcome == "refusal"
    assert classifier.classify(sent(responses, "utter_konfirmasi_ekspor_data")).outcome == "data_rights"
    assert classifier.classify(sent(responses, "utter_keluhan_kesehatan")).outcome == "homecare"
    # A greeting followed by something no response produces is `other`, never greeting_only.
    unknown = classifier.classify([*welcome(responses), {"text": "Kereta berangkat pukul 07.00.", "buttons": []}])
    assert unknown.outcome == "other"
    assert unknown.unmatched == 1
    assert classifier.classify(welcome(responses)).outcome == "greeting_only"


def test_gateway_texts_are_known(classifier: ReplyClassifier) -> None:
    from citybot.gateway import texts

    assert classifier.classify([{"text": texts.BUSY}]).outcome == "error"
    assert classifier.classify([{"text": texts.NO_ANSWER}]).outcome == "clarify"


def test_fit_rules() -> None:
    assert set(FIT) == set(LABELS)
    assert fit("complaint_new", "complaint_form") == 1.0
    assert fit("emergency", "emergency") == 1.0
    assert fit("emergency", "clarify") == 0.0  # nothing but emergency guidance fits an emergency
    for label in LABELS:
        if label != "emergency":
            assert fit(label, "emergency") == 0.0
    for label in ("permit_question", "health_question", "transport_question"):
        assert fit(label, "knowledge_answer") == fit(label, "no_knowledge_channel") == 1.0
        assert fit(label, "clarify") == 0.5
    assert fit("out_of_scope", "refusal") == fit("out_of_scope", "no_knowledge_channel") == 1.0


def test_fit_summary_and_f1() -> None:
    from bench.real_scores import Row

    rows = [
        Row("a", "emergency", "emergency", [], None, 0.1),
        Row("b", "emergency", "complaint_form", [], None, 0.1),
        Row("c", "complaint_new", "emergency", [], None, 0.1),
        Row("d", "complaint_new", "clarify", [], None, 0.1),
    ]
    labels = {r.id: r.label for r in rows}
    summary = fit_summary(rows, labels)
    assert summary["labels"]["emergency"]["fit"] == 0.5
    assert summary["labels"]["complaint_new"]["fit"] == 0.25
    assert summary["macro_fit"] == pytest.approx(0.375)
    assert summary["emergency_recall"] == 0.5
    assert summary["complaints_as_emergency"] == 0.5
    assert summary["labels"]["complaint_new"]["instead"] == {"emergency": 1, "clarify": 1}
    scores = prf(["x", "x", "y"], ["x", "y", "y"], ["x", "y"])
    assert scores["x"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(0.6667, abs=1e-4), "support": 2}


def test_disagreements_file_holds_ids_only() -> None:
    path = ROOT / "bench" / "real_label_disagreements.yml"
    mapping = load_disagreements(path)
    assert mapping is not None
    assert all(k.startswith("rd-") and v in LABELS for k, v in mapping.items())
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    assert isinstance(raw, dict)
