"""The editors' checks: document-level recall of the live configuration on knowledge/checks.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from citybot.retrieval.confidence import evaluate
from citybot.retrieval.embedders import get_embedder
from citybot.retrieval.index import BuildResult, LoadedIndex
from citybot.retrieval.loader import load_knowledge
from citybot.retrieval.retriever import Retriever
from citybot.settings import get_settings

from .conftest import KNOWLEDGE


def test_knowledge_validates_clean() -> None:
    knowledge = load_knowledge(KNOWLEDGE)
    assert not knowledge.errors, "\n".join(str(i) for i in knowledge.errors)
    by_category: dict[str, int] = {}
    for doc in knowledge.documents:
        by_category[doc.category] = by_category.get(doc.category, 0) + 1
    assert len(knowledge.documents) >= 45
    assert by_category.get("perizinan", 0) >= 15
    assert by_category.get("kesehatan", 0) >= 12
    assert by_category.get("transportasi", 0) >= 6
    assert by_category.get("pengaduan", 0) >= 6
    assert by_category.get("umkm", 0) >= 4
    assert sum(1 for c in knowledge.checks if c.doc_id) >= 120


def test_checks_recall(knowledge_index: tuple[Path, BuildResult]) -> None:
    out, result = knowledge_index
    s = get_settings()
    index = LoadedIndex(out, result.manifest)
    embedder = get_embedder(*index.embedder_spec)
    checks = load_knowledge(KNOWLEDGE).checks
    ev = evaluate(index, checks, embedder, s.retrieval_bm25_weight, s.retrieval_dense_weight)
    print(
        f"\nchecks: {ev.total} questions  Recall@1 {ev.recall_at_1:.3f}  "
        f"Recall@3 {ev.recall_at_3:.3f}  MRR {ev.mrr:.3f}"
    )
    for miss in ev.misses:
        print(
            f"  miss (rank {miss['rank'] or '>10'}) checks.yml:{miss['line']} {miss['query']!r}: "
            f"expected {miss['expected']}, got {miss['got']}"
        )
    assert ev.recall_at_1 >= 0.90
    assert ev.recall_at_3 >= 0.97


def test_confidence_separates_out_of_scope(knowledge_index: tuple[Path, BuildResult]) -> None:
    out, result = knowledge_index
    assert result.manifest["calibration"]["fitted"] is True
    r = Retriever(out, threshold=get_settings().retrieval_confidence_threshold)
    inside = r.search("syarat bikin PBG apa aja?")
    outside = r.search("lirik lagu dangdut terbaru")
    assert inside.best is not None and inside.best.doc_id == "perizinan-pbg"
    assert 0.0 <= outside.confidence < inside.confidence <= 1.0
    assert inside.confident
    assert not outside.confident
    assert outside.titles()  # the assistant can still offer the nearest titles as buttons


def test_hit_carries_passage_fields(knowledge_index: tuple[Path, BuildResult]) -> None:
    out, _ = knowledge_index
    answer = Retriever(out).search("anak sy blm imunisasi campak gmn", k=3)
    assert len(answer.hits) == 3
    assert len({h.doc_id for h in answer.hits}) == 3  # one hit per document
    best = answer.hits[0]
    assert best.doc_id == "kesehatan-imunisasi"
    assert best.category == "kesehatan"
    assert best.title == "Imunisasi Rutin Anak"
    assert best.section and "- " in best.text  # Markdown bullets kept
    assert answer.hits[0].score >= answer.hits[1].score >= answer.hits[2].score


@pytest.mark.parametrize(
    ("question", "doc", "section"),
    [
        ("syarat bikin SKCK apa aja", "administrasi-skck", "Persyaratan"),
        ("biaya bikin SKCK berapa", "administrasi-skck", "Biaya dan masa berlaku"),
        ("cara bikin skck", "administrasi-skck", "Cara mengurus"),
        ("syarat bikin PBG apa aja?", "perizinan-pbg", "Persyaratan"),
        ("imunisasi bayi umur 2 bulan apa aja", "kesehatan-imunisasi", "Jadwal imunisasi bayi dan baduta"),
    ],
)
def test_the_section_shown_is_the_one_asked_about(
    knowledge_index: tuple[Path, BuildResult], question: str, doc: str, section: str
) -> None:
    """The document decides the ranking; the heading decides which of its sections answers
    ("syarat" reads the requirements, not the fee section that mentions "berkas")."""
    out, _ = knowledge_index
    best = Retriever(out).search(question, k=3).best
    assert best is not None and best.doc_id == doc
    assert best.section == section
