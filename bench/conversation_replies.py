"""What a citizen sends and reads in the conversation benchmark: moves, and the assistant's
replies read by their cue phrases (bot/domain/*.yml and the gateway's own texts)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# ---------------------------------------------------------------------------------------------
# Citizen moves
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One citizen message: typed text, a button payload, or a shared map location.

    `tells` lists the reply kinds this message answers beyond the question it replies to (a
    name and phone typed together answer `nama` and `telepon` too). `{slot}` and `{code}` in a
    text are filled at send time (the slot button chosen, the booking code issued earlier).
    """

    text: str | None = None
    payload: str | None = None
    location: tuple[float, float] | None = None
    tells: frozenset[str] = frozenset()
    title: str | None = None  # the button's title, for the transcript

    def shown(self) -> str:
        if self.location:
            return f"[LOC {self.location[0]}, {self.location[1]}]"
        if self.payload is not None:
            return f"[BTN {self.title or self.payload}]"
        return self.text or ""


def T(text: str, *tells: str) -> Move:
    return Move(text=text, tells=frozenset(tells))


def B(payload: str, title: str | None = None) -> Move:
    return Move(payload=payload, title=title)


def L(lat: float, lon: float, *tells: str) -> Move:
    return Move(location=(lat, lon), tells=frozenset(tells))


# ---------------------------------------------------------------------------------------------
# Reading the assistant's replies
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One turn's replies as the citizen sees them: all texts together, and the buttons."""

    text: str
    buttons: tuple[tuple[str, str], ...]  # (title, payload)

    @classmethod
    def of(cls, replies: Sequence[Mapping[str, Any]]) -> View:
        text = "\n".join(str(r.get("text") or "") for r in replies).strip()
        buttons = tuple(
            (str(b.get("title") or ""), str(b.get("payload") or "")) for r in replies for b in (r.get("buttons") or [])
        )
        return cls(text, buttons)

    def button(self, payload_prefix: str = "", title: str | None = None) -> tuple[str, str] | None:
        """The first button whose payload starts with the prefix (and whose title matches the regex)."""
        for b_title, b_payload in self.buttons:
            if b_payload.startswith(payload_prefix) and (title is None or re.search(title, b_title, re.I)):
                return b_title, b_payload
        return None


# What a reply says or asks, by the cue phrases of bot/domain/*.yml and the gateway's own texts
# (tests/unit/test_conversations_bench.py checks them against the domain). Lower-case regexes.
CUES: tuple[tuple[str, str], ...] = (
    ("sambutan", r"saya asisten kota\b"),
    ("salam", r"ada yang bisa saya bantu hari ini"),
    ("menu", r"saya bisa membantu anda untuk"),
    # complaint form
    ("pengaduan_mulai", r"saya bantu buat laporannya"),
    ("kategori", r"masalah apa yang ingin anda laporkan|pilih jenis masalah|belum bisa menentukan jenis masalah"),
    ("kategori_ok", r"jenis masalah: [^\n]+\."),
    ("lokasi", r"di mana lokasinya|lokasinya belum cukup jelas"),
    ("lokasi_ok", r"titik lokasi dari peta sudah saya terima"),
    ("kelurahan", r"masuk kelurahan \(atau desa\) apa|kelurahan \"[^\"]*\" belum saya kenali"),
    ("dukung", r"dukung laporan itu saja"),
    ("deskripsi", r"ceritakan singkat masalahnya|keterangannya terlalu singkat"),
    ("foto", r"ada foto kondisinya|foto belum saya terima"),
    ("identitas", r"mencantumkan nama dan nomor hp"),
    ("persetujuan", r"sebelum saya meminta data pribadi"),
    ("anonim_ok", r"dikirim secara anonim"),
    ("nama", r"siapa nama anda|tulis nama anda dengan huruf"),
    ("telepon", r"berapa nomor hp yang bisa dihubungi|mohon tulis nomor indonesia"),
    ("ringkasan", r"mohon periksa laporan anda|silakan pilih \"kirim\""),
    ("bagian", r"bagian mana yang ingin diubah"),
    (
        "terkirim",
        r"laporan anda sudah diterima dengan nomor|laporan anda sudah terkirim dengan nomor"
        r"|laporan yang tadi tersimpan sudah terkirim",
    ),
    ("antrean", r"sudah saya simpan dengan aman"),
    ("dibatalkan", r"laporan dibatalkan"),
    ("draf_disimpan", r"isiannya saya simpan"),
    ("dilanjutkan", r"saya lanjutkan laporan tadi"),
    ("tanpa_draf", r"tidak ada laporan tertunda|tidak ada laporan yang sedang disiapkan"),
    ("bukan_laporan", r"baik, bukan laporan"),
    ("status", r"laporan anda terbaru|\nstatus: |belum punya laporan yang tercatat"),
    # emergencies
    ("darurat", r"🚨"),
    ("draf_aman", r"belum terkirim, tetapi tidak hilang"),
    ("tawarkan_catat", r"saya bisa mencatat kejadian ini sebagai laporan"),
    # HomeCare
    ("hc_intro", r"layanan homecare: dokter"),
    ("hc_tb1", r"tanda bahaya 1 dari 2"),
    ("hc_tb2", r"tanda bahaya 2 dari 2"),
    ("hc_tb", r"mohon jawab dengan \"ya, ada\""),
    ("hc_setuju", r"untuk memesan, saya perlu data pribadi|mohon pilih \"setuju\""),
    ("hc_nama", r"siapa nama pasien|tulis nama pasien saja"),
    ("hc_umur", r"berapa umur pasien|umur belum terbaca"),
    ("hc_telepon", r"nomor hp yang bisa dihubungi petugas|maaf, nomor hp itu tidak valid"),
    ("hc_alamat", r"alamat lengkap rumah pasien|alamatnya terlalu singkat"),
    ("hc_kelurahan", r"di kelurahan mana\?|belum terdaftar di wilayah layanan homecare"),
    ("hc_luar_wilayah", r"homecare hanya melayani kelurahan di "),
    ("hc_puskesmas", r"kunjungan akan dilayani oleh"),
    ("hc_keluhan", r"apa keluhan pasien|ceritakan keluhannya"),
    ("hc_jadwal", r"pilih jadwal kunjungan|pilih jadwal baru|jadwal itu tidak ada di pilihan|baru saja penuh"),
    ("hc_ringkasan", r"mohon periksa pesanan homecare|mohon pilih \"ya, pesan\""),
    ("hc_terpesan", r"kunjungan homecare terpesan"),
    ("hc_tidak_lanjut", r"pemesanan homecare tidak dilanjutkan"),
    ("kode_booking", r"kirim kode pemesanan homecare|kode pemesanan \S*\s?tidak ditemukan"),
    ("hc_batal_setuju", r"(?:^|\n)batalkan kunjungan \S+ untuk"),
    ("hc_dibatalkan", r"sudah dibatalkan dan jadwalnya dilepas"),
    ("hc_tetap", r"tetap terjadwal"),
    ("keluhan_kesehatan", r"semoga lekas membaik\. untuk keluhan"),
    ("jadwal_tanpa_pesanan", r"jadwal kunjungan dipilih saat memesan homecare"),
    # data rights
    ("ekspor_konfirmasi", r"saya akan menampilkan data pribadi"),
    ("hapus_konfirmasi", r"yakin ingin menghapus data"),
    ("data_ditampilkan", r"data anda yang tersimpan|tidak ada data pribadi anda yang tersimpan"),
    ("data_dihapus", r"permintaan hapus data sudah dijalankan"),
    ("data_batal", r"tidak ada yang diubah\. data anda tetap"),
    # knowledge
    ("jawaban", r"📄 sumber:"),
    ("apakah_terjawab", r"apakah ini menjawab pertanyaan"),
    ("kandidat", r"belum yakin jawabannya|mungkin salah satu dari topik ini|belum menemukan jawaban lain"),
    ("tidak_ditemukan", r"belum ada di catatan saya"),
    ("tanya_silakan", r"silakan tulis pertanyaan anda"),
    # catalogue
    ("produk_tanya", r"produk desa apa yang anda cari"),
    ("produk_hasil", r"ditemukan \d+ produk desa|tidak ada produk yang cocok"),
    ("produk_kosong", r"belum ada produk desa yang cocok|tidak ada hasil lagi"),
    # handoff and general
    ("handoff", r"teruskan ke petugas|di luar jam kerja petugas"),
    ("handoff_gagal", r"belum bisa menyambungkan ke petugas"),
    ("tawarkan_pilihan", r"belum yakin maksud anda"),
    ("minta_ulang", r"masih belum paham|belum bisa menanggapi pesan itu"),
    ("butuh_bantuan", r"kurang bisa menangkap jawabannya"),
    ("pilihan_tidak_dikenal", r"belum menangkap pilihan anda"),
    ("out_of_scope", r"di luar layanan saya"),
    ("chitchat", r"saya asisten virtual|kabar saya baik|saya siap 24 jam|sama-sama!|syukurlah!"),
    ("selamat_tinggal", r"sampai jumpa"),
    ("sibuk", r"sistem kami sedang sibuk|sedang tidak bisa dihubungi|pencarian informasi sedang tidak tersedia"),
    ("rate_limited", r"terlalu banyak dalam waktu singkat"),
)
_CUE_RES = tuple((kind, re.compile(pattern)) for kind, pattern in CUES)
KINDS = frozenset(kind for kind, _ in CUES)

FLOW_OF: dict[str, str] = {
    **{
        k: "pengaduan"
        for k in (
            "pengaduan_mulai",
            "kategori",
            "kategori_ok",
            "lokasi",
            "lokasi_ok",
            "kelurahan",
            "dukung",
            "deskripsi",
            "foto",
            "identitas",
            "persetujuan",
            "anonim_ok",
            "nama",
            "telepon",
            "ringkasan",
            "bagian",
            "terkirim",
            "antrean",
            "dibatalkan",
            "draf_disimpan",
            "dilanjutkan",
            "tanpa_draf",
            "status",
            "butuh_bantuan",
            "pilihan_tidak_dikenal",
        )
    },
    **{k: "darurat" for k in ("darurat", "draf_aman", "tawarkan_catat")},
    **{
        k: "homecare"
        for k in KINDS
        if k.startswith("hc_") or k in ("kode_booking", "keluhan_kesehatan", "jadwal_tanpa_pesanan")
    },
    **{k: "data" for k in ("ekspor_konfirmasi", "hapus_konfirmasi", "data_ditampilkan", "data_dihapus", "data_batal")},
    **{
        k: "layanan"
        for k in ("jawaban", "apakah_terjawab", "kandidat", "tidak_ditemukan", "tanya_silakan", "bukan_laporan")
    },
    **{k: "produk" for k in ("produk_tanya", "produk_hasil", "produk_kosong")},
    **{k: "petugas" for k in ("handoff", "handoff_gagal")},
}
# Invitations, not questions about a fact: seeing one again is not "asked again".
INVITATIONS = frozenset({"sambutan", "salam", "menu", "produk_tanya", "tanya_silakan"})
# Replies that never move a goal forward (besides the scripts' own expectations).
TROUBLE = frozenset(
    {
        "tawarkan_pilihan",
        "minta_ulang",
        "butuh_bantuan",
        "pilihan_tidak_dikenal",
        "kandidat",
        "tidak_ditemukan",
        "sibuk",
        "handoff_gagal",
        "produk_kosong",
        "out_of_scope",
    }
)

TICKET = re.compile(r"\b([A-Z]{2,5}-\d{4}-\d{6})\b")
BOOKING_CODE = re.compile(r"\b(HC-[A-Z2-9]{6})\b")
PRICE = re.compile(r"—\s*Rp\s?([\d.]+)")
DAYS = {"sen": "senin", "sel": "selasa", "rab": "rabu", "kam": "kamis", "jum": "jumat", "sab": "sabtu", "min": "minggu"}
SLOT_TITLE = re.compile(r"^(sen|sel|rab|kam|jum|sab|min)\w*\s+\d{1,2}\s+\w+\s+(\d{1,2})[.:](\d{2})", re.I)


def kinds_in(text: str) -> list[str]:
    """Every kind whose cue occurs in the text, ordered by the position of its last occurrence."""
    low = text.lower()
    found: list[tuple[int, str]] = []
    for kind, cue in _CUE_RES:
        last = None
        for m in cue.finditer(low):
            last = m.start()
        if last is not None:
            found.append((last, kind))
    return [kind for _, kind in sorted(found)]


def last_kind(view: View) -> str | None:
    """What the reply leaves the citizen to answer: the kind whose cue comes last."""
    kinds = kinds_in(view.text)
    return kinds[-1] if kinds else None


def ticket_in(text: str) -> str | None:
    found = TICKET.search(text)
    return found.group(1) if found else None


def booking_code_in(text: str) -> str | None:
    found = BOOKING_CODE.search(text)
    return found.group(1) if found else None


def prices_in(text: str) -> list[int]:
    """Prices of the catalogue result lines ("1. Kopi ... — Rp 35.000/250 gram")."""
    return [int(p.replace(".", "")) for p in PRICE.findall(text)]


def slot_phrase(title: str) -> str | None:
    """How a person types a slot button's title: "Sel 1 Des 13.00–14.30" -> "selasa jam 13 siang"."""
    found = SLOT_TITLE.match(title.strip())
    if not found:
        return None
    day = DAYS[found.group(1).lower()[:3]]
    hour, minute = int(found.group(2)), int(found.group(3))
    part = "pagi" if hour < 11 else "siang" if hour < 15 else "sore" if hour < 18 else "malam"
    return f"{day} jam {hour}{'.' + f'{minute:02d}' if minute else ''} {part}"


def missing_groups(text: str, groups: Sequence[Sequence[str]]) -> list[int]:
    """Indexes of the keyword groups none of whose alternatives occurs in the text (case-insensitive)."""
    low = text.lower()
    return [i for i, group in enumerate(groups) if not any(word.lower() in low for word in group)]


# ---------------------------------------------------------------------------------------------
