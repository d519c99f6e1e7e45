"""What a conversation signal keeps of a citizen's message: the question, not who asked it."""

from __future__ import annotations

import pytest

from citybot.client.signals import signal_body
from citybot.privacy import mask_names, mask_personal


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("nama saya Budi Santoso mau tanya syarat KTP", "[nama] mau tanya syarat KTP"),
        ("Nama lengkap saya: Siti Aminah, mau daftar", "[nama], mau daftar"),
        ("namaku dewi ingin daftar posyandu", "[nama] ingin daftar posyandu"),
        ("selamat pagi saya Pak Budi dari Cideng", "selamat pagi [nama] dari Cideng"),
        ("sy bu ani, mau nanya", "[nama], mau nanya"),
        ("perkenalkan saya Rina warga Cempaka Putih", "[nama] warga Cempaka Putih"),
        ("ini dengan Bu Ratna, mau tanya", "[nama], mau tanya"),
        ("sertifikat atas nama Joko Widodo belum keluar", "sertifikat [nama] belum keluar"),
        ("nama saya budi gimana cara bikin ktp", "[nama] gimana cara bikin ktp"),
    ],
)
def test_self_introduced_names_are_masked(text: str, masked: str) -> None:
    assert mask_names(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "saya mau tanya syarat bikin KTP",
        "nama jalan di depan rumah saya apa ya",
        "ini dengan anak saya boleh ikut?",
        "gimana cara ganti nama di KK",
        "saya warga Cideng mau lapor",
    ],
)
def test_ordinary_questions_keep_their_words(text: str) -> None:
    assert mask_personal(text) == text


def test_numbers_and_email_are_masked_too() -> None:
    masked = mask_personal("NIK 3174012345678901 hp 0812-3456-7890 email budi.s@contoh.co.id nama saya Budi")
    assert masked == "NIK 3174************ hp 0812-****-**** email [email] [nama]"


def test_the_body_sent_is_masked_cut_and_bounded() -> None:
    body = signal_body(
        "low_confidence",
        "nama saya Budi\n\n" + "kenapa lampu jalan mati terus " * 40,
        channel="telegram",
        closest_docs=[(f"doc-{i}", 0.123456) for i in range(9)],
    )
    text = str(body["text"])
    assert text.startswith("[nama] kenapa lampu") and len(text) == 500 and "\n" not in text
    assert body["closest_docs"] == [{"id": f"doc-{i}", "score": 0.1235} for i in range(5)]
    assert body["kelurahan"] is None and body["channel"] == "telegram"
