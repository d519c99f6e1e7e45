"""The line under a knowledge answer names the official source, review date and scope."""

from __future__ import annotations

from actions.layanan_info import candidates_from
from actions.sumber import source_line
from citybot.retrieval import Hit


def _hit(**fields: object) -> Hit:
    base: dict[str, object] = {
        "doc_id": "transportasi-mrt",
        "title": "MRT Jakarta",
        "section": "Jam operasi",
        "text": "- Sabtu mulai 06.00",
        "category": "transportasi",
        "score": 1.0,
        "passage_id": "transportasi-mrt#jam",
    }
    return Hit(**(base | fields))  # type: ignore[arg-type]


def test_scoped_reviewed_document() -> None:
    hit = _hit(sources=("https://jakartamrt.co.id", "https://jakarta.go.id"), reviewed="2026-11-30", scope="jakarta")
    assert source_line(hit) == (
        "MRT Jakarta · https://jakartamrt.co.id · diperiksa 30 Nov 2026 (aturan khusus DKI Jakarta)"
    )


def test_national_rule_not_yet_reviewed_says_so() -> None:
    hit = _hit(title="KTP Elektronik (KTP-el)", sources=("https://dukcapil.kemendagri.go.id",), scope="nasional")
    assert source_line(hit) == (
        "KTP Elektronik (KTP-el) · https://dukcapil.kemendagri.go.id · belum diperiksa ulang petugas"
    )


def test_candidates_keep_the_source_line_for_a_later_choice() -> None:
    (found,) = candidates_from([_hit(sources=("https://jakartamrt.co.id",), reviewed="2026-05-04")])
    assert found["sumber"] == "MRT Jakarta · https://jakartamrt.co.id · diperiksa 4 Mei 2026"
