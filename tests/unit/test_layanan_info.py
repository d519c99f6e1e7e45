"""Retrieval answers: readable passages, one candidate per document, title buttons."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from actions.layanan_info import candidates_from, format_passage, question_after_denial, title_buttons


@dataclass
class FakeHit:
    doc_id: str
    title: str
    section: str
    text: str
    passage_id: str = ""


def test_passage_keeps_bullets_and_adds_the_section() -> None:
    text = "## Persyaratan\n- KTP pemohon\n- Gambar teknis\n\n\n\n- Bukti kepemilikan tanah"
    answer = format_passage("Persyaratan", text)
    assert answer.startswith("Persyaratan\n• KTP pemohon\n• Gambar teknis")
    assert "\n\n\n" not in answer and "##" not in answer


def test_long_passage_is_cut_at_a_line() -> None:
    text = "\n".join(f"- langkah nomor {i} yang cukup panjang untuk dibaca" for i in range(80))
    answer = format_passage("", text, limit=300)
    assert len(answer) <= 302 and answer.endswith(" …")
    assert all(line.startswith("• ") or line == "…" for line in answer[:-2].splitlines())


def test_candidates_are_one_per_document_best_first() -> None:
    hits = [FakeHit("pbg", "PBG", "Syarat", "a"), FakeHit("pbg", "PBG", "Biaya", "b"), FakeHit("slf", "SLF", "", "c")]
    assert [c["doc_id"] for c in candidates_from(hits)] == ["pbg", "slf"]


def test_title_buttons_end_with_a_human_agent() -> None:
    domain = {"responses": {"utter_tombol_petugas": [{"text": "Bicara dengan petugas"}]}}
    buttons = title_buttons(domain, [{"doc_id": "pbg", "title": "PBG", "section": "", "text": ""}])
    assert buttons[0] == {"title": "PBG", "payload": '/tanya_layanan{"dokumen": "pbg"}'}
    assert buttons[-1]["payload"] == "/bicara_petugas"


def test_faq_answers_lose_the_question_heading_and_markdown_marks() -> None:
    hits = [FakeHit("ktp", "KTP-el", "bikin KTP bayar gak?", "Semua layanan **gratis**.", passage_id="faq:ktp-1")]
    (candidate,) = candidates_from(hits)
    assert candidate["section"] == ""
    assert format_passage(candidate["section"], candidate["text"]) == "Semua layanan gratis."


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("lah sy ga mau lapor, sy nanya tunggakan bpjs gimana bayarnya", "tunggakan bpjs gimana bayarnya"),
        ("Saya tidak ingin melapor, saya hanya bertanya tentang jadwal posyandu", "jadwal posyandu"),
        ("bukan mau lapor mas. mau tanya syarat PBG", "syarat PBG"),
        ("bukan lapor", "bukan lapor"),
    ],
)
def test_the_question_after_saying_it_is_not_a_report(text: str, question: str) -> None:
    assert question_after_denial(text) == question
