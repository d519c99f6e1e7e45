"""The conversation benchmark's reply reading, scripts and driver (bench/conversation_*.py), no stack needed.

Replies are built from the real response texts of bot/domain/*.yml (placeholders filled), so a
reworded question shows up here instead of as a conversation the benchmark cannot drive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bench.conversation_driver import drive
from bench.conversation_goals import Aside, Conversation, m_answered, m_emergency, m_ticket
from bench.conversation_replies import (
    KINDS,
    Move,
    T,
    View,
    booking_code_in,
    kinds_in,
    last_kind,
    missing_groups,
    prices_in,
    slot_phrase,
    ticket_in,
)
from bench.conversation_scripts import CONVERSATIONS
from bench.conversations import chains, totals
from bench.real_replies import default_responses
from tests.unit import rest_replies

Replies = list[dict[str, Any]]

FILL = {
    "sapaan": "Selamat pagi",
    "kota": "DKI Jakarta",
    "asisten": "Asisten Kota DKI Jakarta",
    "kategori": "Jalan Rusak / Berlubang",
    "tiket": "JKL-2026-000042",
    "instansi": "Dinas Bina Marga",
    "lokasi": "Jl. Palmerah Barat, Kel. Palmerah",
    "deskripsi": "Lubang besar",
    "foto": "tidak ada",
    "pelapor": "anonim",
    "kode": "HC-AB23CD",
    "nama": "Daeng Ngalle",
    "umur": "72 tahun",
    "telepon": "+62812****890",
    "alamat": "Jl. Tamalate I No. 10",
    "kelurahan": "Karuwisi",
    "keluhan": "demam",
    "puskesmas": "Puskesmas Karuwisi",
    "jadwal": "Selasa, 1 Desember 2026 pukul 08.00 WITA",
    "zona": "WITA",
    "nomor_darurat": "112",
    "nomor_ambulans": "119",
    "nomor_damkar": "113",
    "nomor_polisi": "110",
    "nomor_sar": "115",
    "kontak_bpbd": "BPBD (lewat 112)",
    "jawaban": "Persyaratan\n• KTP-el\n• KK",
    "sumber": "KTP Elektronik (KTP-el)",
    "buka": "Senin pukul 08.00 WIB",
    "audit": "12",
    "laporan": "1",
    "langganan": "1",
    "homecare": "0",
    "antrean": "0",
    "waktu": "30 Nov 2026 10.00",
    "isi": "-",
    "pengaduan_duplikat": "JKL-2026-000001",
    "pengaduan_duplikat_info": "Jalan Rusak, 40 m",
    "jawaban_tidak": "xx",
    "jumlah": "2",
    "status": "Menunggu",
    "alasan": "-",
    "total": "3",
    "syarat": "",
    "dari": "1",
    "sampai": "3",
    "pengantar": "Ditemukan 3 produk desa. Menampilkan 1–3:",
    "penutup": "",
    "daftar": "1. Kopi Robusta Osing Bubuk — Rp 35.000/250 gram",
}


@pytest.fixture(scope="module")
def responses() -> dict[str, list[dict[str, Any]]]:
    return default_responses(model=None)


def sent(responses: dict[str, list[dict[str, Any]]], key: str) -> Replies:
    """The replies one response becomes on the web channel (first variant, placeholders filled)."""
    return rest_replies.sent(responses, key, **FILL)


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


# --- the driver against a fake assistant made of real response texts -------------------------


def fake(
    responses: dict[str, Any], script: Callable[[int, Move], list[str]]
) -> tuple[Callable[[Move], Replies], list[Move]]:
    """An assistant that answers turn n (1-based) with the given response keys; records the moves."""
    moves: list[Move] = []

    def send(move: Move) -> Replies:
        moves.append(move)
        return [r for key in script(len(moves), move) for r in sent(responses, key)]

    return send, moves


LETTER = Conversation(
    id="t-letter",
    persona="formal letter",
    goal="report",
    opening=T("Dengan hormat, ... lengkap"),
    minimum=2,
    reason="all given",
    milestones=(m_ticket(),),
    flows=frozenset({"pengaduan"}),
    told=frozenset({"kategori", "lokasi", "kelurahan", "deskripsi", "foto", "identitas"}),
    facts={"kategori": T("Sampah menumpuk."), "ringkasan": T("Sudah benar, kirim."), "foto": T("Tidak ada foto.")},
)


def test_a_competent_assistant_completes_in_the_minimum_without_friction(responses: dict[str, Any]) -> None:
    send, moves = fake(
        responses, lambda n, m: ["utter_pengaduan_ringkasan"] if n == 1 else ["utter_pengaduan_terkirim"]
    )
    chain: dict[str, Any] = {}
    result = drive(LETTER, send, chain)
    assert result.replies_ok and result.used == 2 and result.ratio == 1.0
    assert result.friction == ""
    assert [m.text for m in moves] == ["Dengan hormat, ... lengkap", "Sudah benar, kirim."]
    assert chain["tickets"] == ["JKL-2026-000042"]


def test_asking_again_for_what_was_said_is_the_first_friction(responses: dict[str, Any]) -> None:
    replies = {
        1: ["utter_pengaduan_mulai", "utter_ask_pengaduan_kategori"],
        2: ["utter_ask_pengaduan_foto"],
        3: ["utter_pengaduan_ringkasan"],
    }
    send, moves = fake(responses, lambda n, m: replies.get(n, ["utter_pengaduan_terkirim"]))
    result = drive(LETTER, send)
    assert result.replies_ok and result.used == 4 and result.ratio == 2.0
    assert result.friction == "t1: asked again for kategori"
    assert [t.note for t in result.turns][1] == "asked again for foto"
    assert moves[1].text == "Sampah menumpuk." and moves[2].text == "Tidak ada foto."


def test_a_button_presser_presses_and_a_typist_types(responses: dict[str, Any]) -> None:
    conv = Conversation(
        id="t-btn",
        persona="button presser",
        goal="report",
        opening=T("lapor parkir liar"),
        minimum=3,
        reason="-",
        milestones=(m_ticket(),),
        flows=frozenset({"pengaduan"}),
        presses=True,
        press={"identitas": "/pilih_anonim"},
        facts={"foto": T("ga ada"), "identitas": T("anonim")},
    )
    replies = {1: ["utter_ask_pengaduan_foto"], 2: ["utter_ask_pengaduan_identitas"], 3: ["utter_pengaduan_ringkasan"]}
    send, moves = fake(responses, lambda n, m: replies.get(n, ["utter_pengaduan_terkirim"]))
    result = drive(conv, send)
    assert [m.payload for m in moves[1:]] == ["/lewati", "/pilih_anonim", "/kirim_pengaduan"]
    assert result.turns[1].move == "[BTN Lewati]"
    typist = Conversation(**{**conv.__dict__, "presses": False, "facts": {**conv.facts, "ringkasan": T("kirim")}})
    send, moves = fake(responses, lambda n, m: replies.get(n, ["utter_pengaduan_terkirim"]))
    drive(typist, send)
    assert [m.text for m in moves[1:]] == ["ga ada", "anonim", "kirim"]


def test_an_emergency_aside_and_its_missed_milestone(responses: dict[str, Any]) -> None:
    conv = Conversation(
        id="t-fire",
        persona="panicking mother",
        goal="report",
        opening=T("mau lapor pohon tumbang ..."),
        minimum=4,
        reason="-",
        milestones=(m_emergency("113"), m_ticket()),
        flows=frozenset({"pengaduan", "darurat"}),
        asides=(Aside(("foto",), T("TOLONG kebakaran!!"), retry=T("KEBAKARAN nomor damkar")),),
        facts={"foto": T("ga ada"), "ringkasan": T("kirim"), "draf_aman": T("udah aman, lanjutin laporan")},
    )
    good = {
        1: ["utter_ask_pengaduan_foto"],
        2: ["utter_darurat_kebakaran", "utter_darurat_draf_laporan"],
        3: ["utter_ask_pengaduan_foto"],
        4: ["utter_pengaduan_ringkasan"],
    }
    send, moves = fake(responses, lambda n, m: good.get(n, ["utter_pengaduan_terkirim"]))
    result = drive(conv, send)
    assert [m.text for m in moves] == [
        "mau lapor pohon tumbang ...",
        "TOLONG kebakaran!!",
        "udah aman, lanjutin laporan",
        "ga ada",
        "kirim",
    ]
    assert result.reached == ["emergency 113", "ticket"] and result.replies_ok and result.friction == ""
    # An assistant that keeps asking for the photo: the retry is sent, then the emergency is missed.
    bad = {
        1: ["utter_ask_pengaduan_foto"],
        2: ["utter_ask_pengaduan_foto"],
        3: ["utter_ask_pengaduan_foto"],
        4: ["utter_pengaduan_ringkasan"],
    }
    send, moves = fake(responses, lambda n, m: bad.get(n, ["utter_pengaduan_terkirim"]))
    result = drive(conv, send)
    assert moves[2].text == "KEBAKARAN nomor damkar"
    assert result.missed == ["emergency 113"] and not result.completed
    assert result.friction == "t3: emergency 113 not reached"


def test_knowledge_follow_up_for_the_missing_part_then_done(responses: dict[str, Any]) -> None:
    conv = Conversation(
        id="t-ktp",
        persona="elderly",
        goal="ktp",
        opening=T("KTP hilang, bawa apa, bayar?"),
        minimum=1,
        reason="-",
        milestones=(m_answered((("KK",), ("gratis",))),),
        keywords=(("KK",), ("gratis",)),
        follow_ups=(T("bawa apa nak?"), T("bayar atau gratis nak?")),
        flows=frozenset({"layanan"}),
    )
    answers = ["KTP hilang: bawa surat kehilangan dan fotokopi KK.", "Semua layanan KTP-el gratis."]
    asked = sent(responses, "utter_apakah_terjawab")
    moves: list[Move] = []

    def send(move: Move) -> Replies:
        moves.append(move)
        passage = answers[min(len(moves), len(answers)) - 1]
        return [{"text": f"{passage}\n\n📄 Sumber: KTP Elektronik (KTP-el)", "buttons": []}, *asked]

    result = drive(conv, send)
    assert [m.text for m in moves] == ["KTP hilang, bawa apa, bayar?", "bayar atau gratis nak?"]
    assert result.completed and result.used == 2 and result.ratio == 2.0
    # An assistant that never says the cost: the citizen asks again, then gives up.
    answers[1] = answers[0]
    moves.clear()
    result = drive(conv, send)
    assert [m.text for m in moves[1:]] == ["bayar atau gratis nak?"] * 4
    assert result.used == conv.max_turns == 5 and not result.completed


def test_a_looping_assistant_is_given_up_after_max_turns(responses: dict[str, Any]) -> None:
    send, _ = fake(responses, lambda n, m: ["utter_minta_ulang"])
    result = drive(LETTER, send)
    assert result.used == LETTER.max_turns == 8
    assert not result.completed and result.friction == "t1: minta ulang"
    summary = totals([result])
    assert summary["completed"] == 0 and summary["mean_ratio"] == 4.0 and not summary["goal_met"]


def test_the_scripts_themselves() -> None:
    ids = [c.id for c in CONVERSATIONS]
    assert len(ids) == len(set(ids)) >= 14
    personas = {c.persona for c in CONVERSATIONS}
    assert {
        '"min" casual',
        "Betawi",
        "formal letter",
        "typo-heavy",
        "elderly",
        "Javanese",
        "ojol driver",
        "whistle-blower",
        "panicking mother",
        "Makassar dialect",
        "button presser",
    } <= personas
    for conv in CONVERSATIONS:
        assert conv.minimum >= 1 and conv.reason and conv.milestones, conv.id
        assert set(conv.facts) <= KINDS, (conv.id, set(conv.facts) - KINDS)
        assert set(conv.press) <= KINDS and conv.told <= KINDS, conv.id
        assert all(set(a.when) <= KINDS for a in conv.asides), conv.id
        assert len(conv.follow_ups) == len(conv.keywords), conv.id
        if conv.continues:
            assert ids.index(conv.continues) < ids.index(conv.id), conv.id
    # a continued chat is played after the one it continues, on the same sender
    groups = {tuple(c.id for c in g) for g in chains(CONVERSATIONS)}
    assert ("hc-pesan", "hc-batal") in groups and ("min-jalan", "data-hapus") in groups
