"""What the conversation-bench tests share: replies built from the real response texts of
bot/domain/*.yml, placeholders filled."""

from __future__ import annotations

import functools
from typing import Any

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


@functools.cache
def domain_responses() -> dict[str, list[dict[str, Any]]]:
    return default_responses(model=None)


def sent(responses: dict[str, list[dict[str, Any]]], key: str) -> Replies:
    """The replies one response becomes on the web channel (first variant, placeholders filled)."""
    return rest_replies.sent(responses, key, **FILL)
