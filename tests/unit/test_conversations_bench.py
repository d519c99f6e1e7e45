"""The conversation benchmark's reply reading (bench/conversation_replies.py), no stack needed.

Replies are built from the real response texts of bot/domain/*.yml (placeholders filled), so a
reworded question shows up here instead of as a conversation the benchmark cannot drive.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.conversation_replies import (
    KINDS,
    View,
    booking_code_in,
    kinds_in,
    last_kind,
    missing_groups,
    prices_in,
    slot_phrase,
    ticket_in,
)
from tests.unit.conversations_support import domain_responses, sent


@pytest.fixture(scope="module")
def responses() -> dict[str, list[dict[str, Any]]]:
    return domain_responses()


# What the citizen must read from each response the driver meets (response key -> kind).
EXPECTED_KIND = {
    "utter_ask_pengaduan_kategori": "kategori",
    "utter_pengaduan_kategori_pilih": "kategori",
    "utter_ask_pengaduan_lokasi": "lokasi",
    "utter_pengaduan_lokasi_kurang_jelas": "lokasi",
    "utter_ask_pengaduan_kelurahan": "kelurahan",
    "utter_ask_pengaduan_dukung": "dukung",
    "utter_ask_pengaduan_deskripsi": "deskripsi",
    "utter_pengaduan_deskripsi_terlalu_pendek": "deskripsi",
    "utter_ask_pengaduan_foto": "foto",
    "utter_ask_pengaduan_identitas": "identitas",
    "utter_ask_pengaduan_persetujuan": "persetujuan",
    "utter_ask_pengaduan_nama": "nama",
    "utter_pengaduan_nama_tidak_valid": "nama",
    "utter_ask_pengaduan_telepon": "telepon",
    "utter_pengaduan_ringkasan": "ringkasan",
    "utter_pengaduan_konfirmasi_tidak_dikenal": "ringkasan",
    "utter_pengaduan_terkirim": "terkirim",
    "utter_pengaduan_sudah_terkirim": "terkirim",
    "utter_pengaduan_dibatalkan": "dibatalkan",
    "utter_pengaduan_dibatalkan_draf_disimpan": "draf_disimpan",
    "utter_pengaduan_dilanjutkan": "dilanjutkan",
    "utter_darurat": "darurat",
    "utter_darurat_kebakaran": "darurat",
    "utter_darurat_draf_laporan": "draf_aman",
    "utter_ask_hc_tb_kritis": "hc_tb1",
    "utter_ask_hc_tb_lain": "hc_tb2",
    "utter_ask_hc_setuju": "hc_setuju",
    "utter_ask_hc_nama": "hc_nama",
    "utter_ask_hc_umur": "hc_umur",
    "utter_ask_hc_telepon": "hc_telepon",
    "utter_ask_hc_alamat": "hc_alamat",
    "utter_ask_hc_kelurahan": "hc_kelurahan",
    "utter_ask_hc_keluhan": "hc_keluhan",
    "utter_ask_hc_jadwal": "hc_jadwal",
    "utter_hc_ringkasan": "hc_ringkasan",
    "utter_hc_berhasil": "hc_terpesan",
    "utter_ask_kode_booking": "kode_booking",
    "utter_ask_hc_batal_setuju": "hc_batal_setuju",
    "utter_hc_batal_berhasil": "hc_dibatalkan",
    "utter_konfirmasi_ekspor_data": "ekspor_konfirmasi",
    "utter_konfirmasi_hapus_data": "hapus_konfirmasi",
    "utter_data_ekspor": "data_ditampilkan",
    "utter_data_kosong": "data_ditampilkan",
    "utter_data_dihapus": "data_dihapus",
    "utter_apakah_terjawab": "apakah_terjawab",
    "utter_belum_yakin_jawaban": "kandidat",
    "utter_jawaban_tidak_ditemukan": "tidak_ditemukan",
    "utter_tawarkan_pilihan": "tawarkan_pilihan",
    "utter_minta_ulang": "minta_ulang",
    "utter_out_of_scope": "out_of_scope",
    "utter_petugas_tersambung": "handoff",
    "utter_petugas_di_luar_jam": "handoff",
    "utter_produk_segera": "produk_tanya",
    "utter_produk_hasil": "produk_hasil",
    "utter_salam": "salam",
    "utter_selamat_tinggal": "selamat_tinggal",
}


@pytest.mark.parametrize("key", sorted(EXPECTED_KIND))
def test_each_domain_question_is_read_as_its_kind(responses: dict[str, Any], key: str) -> None:
    assert key in responses, f"{key} is gone from bot/domain: update EXPECTED_KIND and the cues"
    assert last_kind(View.of(sent(responses, key))) == EXPECTED_KIND[key]


def test_the_last_question_of_a_reply_is_the_one_answered(responses: dict[str, Any]) -> None:
    start = [
        *sent(responses, "utter_selamat_datang"),
        *sent(responses, "utter_pengaduan_mulai"),
        *sent(responses, "utter_ask_pengaduan_kategori"),
    ]
    assert kinds_in(View.of(start).text) == ["sambutan", "pengaduan_mulai", "kategori"]
    assert last_kind(View.of(start)) == "kategori"
    located = [
        *sent(responses, "utter_pengaduan_lokasi_peta_diterima"),
        *sent(responses, "utter_ask_pengaduan_deskripsi"),
    ]
    assert last_kind(View.of(located)) == "deskripsi"
    # After a fire mid-form: the safety message, then the offer to resume the kept draft.
    fire = [*sent(responses, "utter_darurat_kebakaran"), *sent(responses, "utter_darurat_draf_laporan")]
    view = View.of(fire)
    assert kinds_in(view.text)[0] == "darurat" and last_kind(view) == "draf_aman"
    assert view.button("/lanjutkan_laporan") == ("Lanjutkan laporan", "/lanjutkan_laporan")
    answer = [*sent(responses, "utter_jawaban"), *sent(responses, "utter_apakah_terjawab")]
    assert kinds_in(View.of(answer).text) == ["jawaban", "apakah_terjawab"]


def test_the_complaint_and_homecare_consents_are_not_confused(responses: dict[str, Any]) -> None:
    assert kinds_in(View.of(sent(responses, "utter_ask_pengaduan_persetujuan")).text) == ["persetujuan"]
    assert "persetujuan" not in kinds_in(View.of(sent(responses, "utter_ask_hc_setuju")).text)
    # "Nomor HP" is asked in both flows: each flow's question is read as its own.
    assert last_kind(View.of(sent(responses, "utter_ask_hc_telepon"))) == "hc_telepon"
    assert last_kind(View.of(sent(responses, "utter_ask_pengaduan_telepon"))) == "telepon"


def test_every_cue_matches_some_real_reply(responses: dict[str, Any]) -> None:
    texts = []
    for key in responses:
        texts.extend(r["text"] for r in sent(responses, key))
    seen = {kind for text in texts for kind in kinds_in(text)}
    assert KINDS - seen == set(), "cues that match no response of bot/domain or the gateway (dead or reworded)"


def test_gateway_texts() -> None:
    from citybot.gateway import texts

    assert last_kind(View(texts.RATE_LIMITED, ())) == "rate_limited"
    assert last_kind(View(texts.BUSY, ())) == "sibuk"
    assert last_kind(View(texts.NO_ANSWER, ())) == "minta_ulang"


def test_numbers_codes_prices_and_slots() -> None:
    assert ticket_in("Laporan Anda sudah diterima dengan nomor JKL-2026-000042.\nSelanjutnya") == "JKL-2026-000042"
    assert ticket_in("cek status jkl 2026 42") is None
    assert booking_code_in("Kode pemesanan: HC-PEB44Q\nPuskesmas") == "HC-PEB44Q"
    from actions.harga import format_rupiah

    lines = (
        f"1. Kopi Robusta Osing Bubuk — {format_rupiah(35000)}/250 gram\n2. Kopi Luwak — {format_rupiah(150000)}/ons"
    )
    assert prices_in(lines) == [35000, 150000]
    assert slot_phrase("Sel 1 Des 08.00–09.30") == "selasa jam 8 pagi"
    assert slot_phrase("Rab 2 Des 13.00–14.30") == "rabu jam 13 siang"
    assert slot_phrase("Sab 5 Des 15.30–17.00") == "sabtu jam 15.30 sore"
    assert slot_phrase("Lainnya") is None
    assert missing_groups("Bawa KK dan surat kehilangan. Layanan gratis.", [("KK",), ("gratis", "biaya")]) == []
    assert missing_groups("Bawa KK.", [("kartu keluarga", "kk"), ("gratis",)]) == [1]
