"""Conversation benchmark (issue 19): scripted multi-turn citizens against the real stack.

    .venv/bin/python bench/conversations.py                      # starts a fresh stack in a temp dir
    .venv/bin/python bench/conversations.py --show               # also print every transcript (terminal)
    .venv/bin/python bench/conversations.py --only min-jalan,hc-pesan
    .venv/bin/python bench/conversations.py --gateway http://127.0.0.1:8080 [--backend http://127.0.0.1:8000]

Each conversation is a citizen with a goal and the facts a real one would know (the problem, the
place, a name and phone or "anonim", the patient's details...), written in one persona's style
("min" casual, Betawi, formal letter, typo-heavy, elderly, Javanese, ojol driver, whistle-blower,
panicking mother, Makassar dialect, button presser). The texts are ours, not the walkthrough's.
The driver is adaptive: after every turn it reads the assistant's reply (texts and buttons),
works out what is being asked (`last_kind`: the cue that comes last in the reply) and answers
it from the citizen's facts, pressing the button (payload) when the persona presses buttons and
typing otherwise. Scripted asides interrupt at a given question (an emergency mid-form, "ga jadi
deh", "oknumnya ga bakal tau kan?"); an agenda holds what the citizen says on their own
initiative once nothing is asked. A conversation gives up after `2.5 x minimum + 3` turns.

Completed = every milestone of the goal reached in the replies (ticket number, booking code,
emergency number, answer words, products under the price...) AND the real system agrees: the
complaint filed once with the right category (backend, by the reporter address the gateway
derives from the sender), the booking made or cancelled and the data deleted (backend
data-rights export), the human handoff queued (agent console queue). With --gateway the backend
checks need --backend and the running instance's BACKEND_API_KEY and SENDER_ID_KEY in the
environment; without them only the replies are checked (the table says so).

Minimum turns are our judgment of what a competent assistant needs given what the citizen says
(each script states it with a one-line reason). A turn is one citizen message (typed, button or
location); a "please slow down" from the gateway is waited out and not counted. Friction = the
first turn whose reply did not move the goal forward: a question about something already said,
the same question again, a clarifying or "out of scope" reply, a flow that does not belong to the
goal (e.g. the complaint form for a question), or a reply the driver could not read.

The fresh stack raises the gateway's per-sender rate limit (the driver answers faster than a
person types); with --gateway, turns are paced (--pace seconds, default 3.1) instead.
Results: a markdown table on stdout, var/results/conversations.json (per-turn kinds, no reply
texts), transcripts with --show.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import MODEL, machine, md_table, stack_or_gateway, stale_model_warning  # noqa: E402

RESULTS = ROOT / "var" / "results" / "conversations.json"
GOAL_MEAN_RATIO = 1.3

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
            (str(b.get("title") or ""), str(b.get("payload") or ""))
            for r in replies for b in (r.get("buttons") or [])
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
    ("terkirim", r"laporan anda sudah diterima dengan nomor|laporan anda sudah terkirim dengan nomor"
                 r"|laporan yang tadi tersimpan sudah terkirim"),
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
    **{k: "pengaduan" for k in (
        "pengaduan_mulai", "kategori", "kategori_ok", "lokasi", "lokasi_ok", "kelurahan", "dukung", "deskripsi",
        "foto", "identitas", "persetujuan", "anonim_ok", "nama", "telepon", "ringkasan", "bagian", "terkirim",
        "antrean", "dibatalkan", "draf_disimpan", "dilanjutkan", "tanpa_draf", "status", "butuh_bantuan",
        "pilihan_tidak_dikenal")},
    **{k: "darurat" for k in ("darurat", "draf_aman", "tawarkan_catat")},
    **{k: "homecare" for k in KINDS
       if k.startswith("hc_") or k in ("kode_booking", "keluhan_kesehatan", "jadwal_tanpa_pesanan")},
    **{k: "data" for k in ("ekspor_konfirmasi", "hapus_konfirmasi", "data_ditampilkan", "data_dihapus", "data_batal")},
    **{k: "layanan" for k in ("jawaban", "apakah_terjawab", "kandidat", "tidak_ditemukan", "tanya_silakan",
                              "bukan_laporan")},
    **{k: "produk" for k in ("produk_tanya", "produk_hasil", "produk_kosong")},
    **{k: "petugas" for k in ("handoff", "handoff_gagal")},
}
# Invitations, not questions about a fact: seeing one again is not "asked again".
INVITATIONS = frozenset({"sambutan", "salam", "menu", "produk_tanya", "tanya_silakan"})
# Replies that never move a goal forward (besides the scripts' own expectations).
TROUBLE = frozenset({
    "tawarkan_pilihan", "minta_ulang", "butuh_bantuan", "pilihan_tidak_dikenal", "kandidat", "tidak_ditemukan",
    "sibuk", "handoff_gagal", "produk_kosong", "out_of_scope",
})

TICKET = re.compile(r"\b([A-Z]{2,5}-\d{4}-\d{6})\b")
BOOKING_CODE = re.compile(r"\b(HC-[A-Z2-9]{6})\b")
PRICE = re.compile(r"—\s*Rp\s?([\d.]+)")
DAYS = {"sen": "senin", "sel": "selasa", "rab": "rabu", "kam": "kamis", "jum": "jumat", "sab": "sabtu",
        "min": "minggu"}
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
# Goals
# ---------------------------------------------------------------------------------------------


@dataclass
class State:
    """What the driver has seen so far; `chain` is shared by the conversations of one chat."""

    chain: dict[str, Any]
    told: set[str] = field(default_factory=set)
    answers: str = ""  # every knowledge answer text so far (keyword groups accumulate)
    aside_reply: bool = False  # this reply answers a scripted aside
    agenda_left: int = 0
    slot: str | None = None  # the slot button chosen (title)


@dataclass(frozen=True)
class Milestone:
    """One step of the goal, reached when `reached(view, state)` holds for some reply (in order).

    A milestone with `on_aside` is only judged on the reply to the scripted aside it belongs to."""

    name: str
    reached: Callable[[View, State], bool]
    on_aside: bool = False


def m_ticket() -> Milestone:
    def reached(view: View, state: State) -> bool:
        ticket = ticket_in(view.text) if "terkirim" in kinds_in(view.text) else None
        if ticket:
            state.chain.setdefault("tickets", []).append(ticket)
        return ticket is not None

    return Milestone("ticket", reached)


def m_emergency(number: str) -> Milestone:
    return Milestone(f"emergency {number}",
                     lambda v, s: "darurat" in kinds_in(v.text) and re.search(rf"\b{number}\b", v.text) is not None,
                     on_aside=True)


def m_cancelled() -> Milestone:
    return Milestone("cancel understood",
                     lambda v, s: bool({"dibatalkan", "draf_disimpan"} & set(kinds_in(v.text))), on_aside=True)


REASSURANCE = re.compile(
    r"rahasia|tidak (akan )?(di)?(bagikan|ketahui|beritahukan|diberitahu|tahu|teruskan)|identitas anda (tidak|tetap)"
    r"|tanpa identitas|tidak ada nama|tidak dicantumkan", re.I)


def m_reassured() -> Milestone:
    return Milestone("anonymity reassured", lambda v, s: REASSURANCE.search(v.text) is not None, on_aside=True)


def m_answered(groups: Sequence[Sequence[str]]) -> Milestone:
    def reached(view: View, state: State) -> bool:
        if "jawaban" in kinds_in(view.text):
            state.answers += "\n" + view.text
            state.chain["answers"] = state.answers
        return bool(state.answers) and not missing_groups(state.answers, groups)

    return Milestone("answer words", reached)


def m_booked() -> Milestone:
    def reached(view: View, state: State) -> bool:
        code = booking_code_in(view.text) if "hc_terpesan" in kinds_in(view.text) else None
        if code:
            state.chain.setdefault("codes", []).append(code)
        return code is not None

    return Milestone("booking code", reached)


def m_kind(kind: str, name: str | None = None) -> Milestone:
    return Milestone(name or kind, lambda v, s: kind in kinds_in(v.text))


def m_products(word: str, max_price: int) -> Milestone:
    def reached(view: View, state: State) -> bool:
        prices = prices_in(view.text)
        if not prices or word.lower() not in view.text.lower() or max(prices) > max_price:
            return False
        state.chain["products_shown"] = view.text
        return True

    return Milestone(f"{word} <= {max_price}", reached)


def m_agenda_done() -> Milestone:
    """Everything the citizen planned to say was said, and the last reply keeps them out of any form."""
    calm = {"out_of_scope", "chitchat", "selamat_tinggal", "salam", "menu", "sambutan", "tawarkan_pilihan"}

    def reached(view: View, state: State) -> bool:
        kinds = kinds_in(view.text)
        return state.agenda_left == 0 and bool(kinds) and kinds[-1] in calm
    return Milestone("all said, left alone", reached)


# ---------------------------------------------------------------------------------------------
# Conversations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aside:
    """Instead of answering the first `when` question, the citizen says `say` (retried once with
    `retry` when the reply does not reach the milestone the aside is for)."""

    when: tuple[str, ...]
    say: Move
    retry: Move | None = None


@dataclass(frozen=True)
class Conversation:
    id: str
    persona: str
    goal: str
    opening: Move
    minimum: int
    reason: str  # why that minimum
    milestones: tuple[Milestone, ...]
    flows: frozenset[str]  # the flows this goal goes through ("umum" replies are always fine)
    # reply kind -> what the citizen types; a tuple answers the 1st, 2nd... time it is asked (the last repeats)
    facts: Mapping[str, Move | tuple[Move, ...]] = field(default_factory=dict)
    presses: bool = False  # a button presser: buttons (payloads) whenever one fits
    press: Mapping[str, str] = field(default_factory=dict)  # kind -> payload prefix or "title:<regex>"
    told: frozenset[str] = frozenset()  # kinds the opening already answered
    asides: tuple[Aside, ...] = ()
    agenda: tuple[Move, ...] = ()  # said on the citizen's own initiative when nothing is asked
    keywords: tuple[tuple[str, ...], ...] = ()  # knowledge goals: word groups the answers must hold
    follow_ups: tuple[Move, ...] = ()  # knowledge goals: asked for the first missing group, in order
    slot_index: int = 0  # which offered HomeCare slot the citizen takes
    continues: str | None = None  # the id of the conversation whose chat (sender) this one goes on in
    refusal_ok: bool = False  # "out of scope" is the right answer here
    rephrase: tuple[Move, ...] = ()  # said in turn when nothing else fits (then the last again; default: opening)
    choose: str | None = None  # regex of the button title the citizen takes when offered choices
    check: str = "none"  # the real-system check, see Checker

    @property
    def max_turns(self) -> int:
        return math.floor(2.5 * self.minimum) + 3


# Replies after which a knowledge goal asks its next follow-up (when the words are still missing).
KNOWLEDGE_TURN = frozenset({"jawaban", "apakah_terjawab", "kandidat", "tidak_ditemukan", "tanya_silakan",
                            "bukan_laporan", "tawarkan_pilihan", "minta_ulang", "out_of_scope", "chitchat"})

# Replies offering choices where any citizen presses the button that names their goal (`choose`).
CHOICES = frozenset({"tawarkan_pilihan", "kandidat", "minta_ulang", "out_of_scope", "menu", "salam", "sambutan",
                     "keluhan_kesehatan", "jadwal_tanpa_pesanan", "tidak_ditemukan", "apakah_terjawab", "darurat",
                     "handoff_gagal"})

# Buttons a presser takes for each kind (payload prefixes), unless the script says otherwise.
DEFAULT_PRESS: dict[str, str] = {
    "foto": "/lewati", "persetujuan": "/ya", "ringkasan": "/kirim_pengaduan", "dukung": "/tidak",
    "hc_tb1": "/tidak", "hc_tb2": "/tidak", "hc_tb": "/tidak", "hc_setuju": "/ya", "hc_ringkasan": "/ya",
    "hc_batal_setuju": "/ya", "hapus_konfirmasi": "/ya", "ekspor_konfirmasi": "/ya", "hc_jadwal": "/pilih_jadwal",
    "draf_aman": "/lanjutkan_laporan",
}


def _identity(anonymous: bool) -> dict[str, str]:
    return {"identitas": "/pilih_anonim" if anonymous else "/ya"}


CONVERSATIONS: tuple[Conversation, ...] = (
    Conversation(
        id="formal-sampah",
        persona="formal letter",
        goal="rubbish report, everything in the first message",
        opening=T("Dengan hormat, Bapak/Ibu petugas. Saya bermaksud melaporkan tumpukan sampah di pinggir Jl. "
                  "Palmerah Barat, tepat di samping jembatan penyeberangan orang, Kelurahan Palmerah. Sampah rumah "
                  "tangga sudah menggunung kurang lebih sepuluh hari tanpa diangkut, dan baunya tercium sampai ke "
                  "sekolah di seberang jalan. Saya tidak memiliki foto, dan identitas saya tidak perlu dicantumkan. "
                  "Atas perhatiannya saya ucapkan terima kasih."),
        told=frozenset({"kategori", "lokasi", "kelurahan", "deskripsi", "foto", "identitas"}),
        minimum=2,
        reason="the letter holds category, place, kelurahan, story, no photo and anonymity: confirm the summary",
        milestones=(m_ticket(),),
        flows=frozenset({"pengaduan"}),
        facts={
            "kategori": T("Sampah menumpuk, sebagaimana sudah saya sampaikan."),
            "lokasi": T("Jl. Palmerah Barat, di samping jembatan penyeberangan orang, Kelurahan Palmerah."),
            "kelurahan": T("Kelurahan Palmerah."),
            "deskripsi": T("Sampah rumah tangga menggunung kurang lebih sepuluh hari tanpa diangkut, baunya tercium "
                           "sampai ke sekolah di seberang jalan."),
            "foto": T("Saya tidak memiliki foto."),
            "identitas": T("Tidak perlu, laporkan tanpa nama saja."),
            "persetujuan": T("Tidak, tanpa nama saja."),
            "ringkasan": T("Sudah benar. Silakan dikirim."),
            "dukung": T("Tidak, saya buat laporan sendiri."),
        },
        check="complaint:sampah:anonymous:kel=Palmerah",
    ),
    Conversation(
        id="min-jalan",
        persona='"min" casual',
        goal="pothole report with name and phone",
        opening=T("min, jalan di gang haji saili deket pos ronda kel. duri kepa bolong2 gede bgt udah sebulan, "
                  "kemaren ada ibu2 jatoh dr motor"),
        told=frozenset({"kategori", "lokasi", "kelurahan", "deskripsi"}),
        minimum=5,
        reason="problem, place and story in message 1; photo, contact (name+phone in one message), consent, confirm",
        milestones=(m_ticket(),),
        flows=frozenset({"pengaduan"}),
        facts={
            "kategori": T("jalan bolong min, jalan rusak"),
            "lokasi": T("gang haji saili deket pos ronda, kel duri kepa min"),
            "kelurahan": T("duri kepa min"),
            "deskripsi": T("bolong2 gede udah sebulan min, kemaren ada ibu2 jatoh dr motor"),
            "foto": T("ga ada fotonya min"),
            "identitas": T("boleh min, nama saya Joko Prasetyo hp 0813 2211 4455", "nama", "telepon"),
            "persetujuan": T("iya min setuju"),
            "nama": (T("Joko Prasetyo min, kan tadi udah"), T("Joko Prasetyo")),
            "telepon": T("0813 2211 4455"),
            "ringkasan": T("udah bener min, kirim"),
            "dukung": T("bukan min, bikin laporan baru aja"),
        },
        check="complaint:jalan-rusak:contact:kel=Duri Kepa",
    ),
    Conversation(
        id="betawi-banjir",
        persona="Betawi",
        goal="flood report with a shared map location",
        opening=T("bang, gang aye kebanjiran nih, aer udah selutut dari abis isya, got depan kagak ngalir samsek"),
        told=frozenset({"kategori", "deskripsi"}),
        minimum=5,
        reason="problem and story in message 1; the map point, photo, anonymity, confirm",
        milestones=(m_ticket(),),
        flows=frozenset({"pengaduan"}),
        facts={
            "kategori": T("banjir bang, kan aye udah bilang"),
            "lokasi": L(-6.2, 106.84, "kelurahan"),
            "kelurahan": T("pasar manggis bang"),
            "deskripsi": T("aer selutut dari abis isya, got depan kagak ngalir bang"),
            "foto": T("kagak ada poto bang"),
            "identitas": T("anonim aje bang"),
            "persetujuan": T("kagak bang, anonim aje"),
            "ringkasan": T("udah bener bang, kirim dah"),
            "dukung": T("kagak, bikin baru aje bang"),
        },
        check="complaint:banjir:anonymous:at=-6.2,106.84",
    ),
    Conversation(
        id="darurat-lanjut",
        persona="panicking mother",
        goal="fallen-tree report, a fire mid-form, then the draft resumed",
        opening=T("mau lapor pohon tumbang di jl. percetakan negara dkt smp, kel. rawasari, batangnya nutup separo "
                  "jalan dari subuh"),
        told=frozenset({"kategori", "lokasi", "kelurahan", "deskripsi"}),
        minimum=6,
        reason="form complete but photo/contact; the fire message, 'resume', photo, anonymity, confirm",
        milestones=(m_emergency("113"), m_ticket()),
        flows=frozenset({"pengaduan", "darurat"}),
        asides=(Aside(("foto", "identitas", "ringkasan"),
                      T("TOLONG rumah sebelah kebakaran!!! ada anak2 di dalem, nomor damkar brp??"),
                      retry=T("KEBAKARAN tolong nomor pemadam berapa")),),
        facts={
            "darurat": T("udah ditelpon damkar, anak2 udah keluar semua. lanjutin laporan pohon tadi ya"),
            "draf_aman": T("udah aman, damkar udah dateng. lanjutin laporan pohon tadi ya"),
            "tawarkan_catat": T("udah aman. lanjutin laporan pohon tadi ya"),
            "kategori": T("pohon tumbang"),
            "lokasi": T("jl percetakan negara dkt smp, kel rawasari"),
            "kelurahan": T("rawasari"),
            "deskripsi": T("pohon tumbang nutup separo jalan dari subuh"),
            "foto": T("ga ada foto"),
            "identitas": T("anonim aja"),
            "persetujuan": T("ga usah, anonim aja"),
            "ringkasan": T("iya bener, kirim"),
            "dukung": T("ga, laporan baru aja"),
        },
        check="complaint:pohon-tumbang:anonymous:kel=Rawasari",
    ),
    Conversation(
        id="parkir-batal",
        persona="button presser",
        goal="illegal-parking report, cancelled at the summary, then resumed",
        opening=T("lapor parkir liar"),
        told=frozenset({"kategori"}),
        minimum=8,
        reason="only the category in message 1; place, story, photo, anonymity, 'Batal', 'lanjutkan', confirm",
        milestones=(m_cancelled(), m_ticket()),
        flows=frozenset({"pengaduan"}),
        presses=True,
        press={**_identity(anonymous=True), "kategori": "title:parkir", "draf_disimpan": "/lanjutkan_laporan",
               "dibatalkan": "/lanjutkan_laporan"},
        asides=(Aside(("ringkasan",), B("/batal", "Batal")),),
        facts={
            "kategori": T("parkir liar"),
            "lokasi": T("Jl. Panjang depan ruko arteri, Kel. Kedoya Utara"),
            "kelurahan": T("Kedoya Utara"),
            "deskripsi": T("tiap sore mobil parkir 2 lapis di bahu jalan, jukir minta 10rb, bikin macet"),
            "foto": T("ga ada"),
            "identitas": T("anonim"),
            "ringkasan": T("kirim"),
            "draf_disimpan": T("eh jadi deh, lanjutkan laporan tadi"),
            "dibatalkan": T("eh jadi deh, lanjutkan laporan tadi"),
            "dukung": T("ga, bikin baru"),
        },
        check="complaint:parkir-liar:anonymous:kel=Kedoya Utara",
    ),
    Conversation(
        id="pungli-anonim",
        persona="whistle-blower",
        goal="anonymous bribery report, asks if the official will know",
        opening=T("sy mau lapor pungli. ngurus surat keterangan domisili di kantor kelurahan petojo utara dimintain "
                  "250rb sm oknum di loket, katanya biar cepet jadi"),
        told=frozenset({"kategori", "lokasi", "kelurahan", "deskripsi"}),
        minimum=5,
        reason="problem, place and story in message 1; photo, anonymity, the fear question, confirm",
        milestones=(m_reassured(), m_ticket()),
        flows=frozenset({"pengaduan"}),
        asides=(Aside(("ringkasan",), T("bentar, oknumnya ga bakal tau kan sy yg lapor?")),),
        facts={
            "kategori": T("pungli"),
            "lokasi": T("kantor kelurahan petojo utara, di loket"),
            "kelurahan": T("petojo utara"),
            "deskripsi": T("dimintain 250rb sm oknum di loket buat surat domisili, katanya biar cepet"),
            "foto": T("ga ada foto, takut ketauan kalo motret"),
            "identitas": T("anonim aja"),
            "persetujuan": T("ga, anonim aja"),
            "ringkasan": T("ok kirim"),
            "dukung": T("ga, laporan baru"),
        },
        rephrase=(T("ok, kirim laporannya"),),
        check="complaint:pungli:anonymous:kel=Petojo Utara",
    ),
    Conversation(
        id="ktp-hilang",
        check="knowledge:administrasi-ktp-el",
        choose=r"KTP",
        persona="elderly",
        goal="what to bring for a lost KTP, and the cost",
        opening=T("Assalamualaikum nak. Saya Pak Sutrisno, umur 71 tahun, tinggal ikut anak di Cilandak. Minggu lalu "
                  "dompet saya jatuh di angkot, KTP saya ikut hilang. Anak saya sudah mengantar saya minta surat "
                  "kehilangan di polsek. Sekarang apa lagi yang harus saya bawa untuk membuat KTP baru, dan apakah "
                  "ada biayanya nak?"),
        minimum=1,
        reason="one message with two questions, both answered in one knowledge document",
        milestones=(m_answered((("KK", "Kartu Keluarga"), ("gratis", "tidak dipungut", "tanpa biaya"))),),
        keywords=(("KK", "Kartu Keluarga"), ("gratis", "tidak dipungut", "tanpa biaya")),
        follow_ups=(T("Maaf nak, selain surat dari polisi, apa lagi yang dibawa untuk KTP yang hilang?"),
                    T("Terima kasih nak. Kalau membuat KTP baru itu bayar atau gratis?")),
        flows=frozenset({"layanan"}),
        facts={"kategori": T("Bukan mau melapor nak, saya bertanya soal KTP saya yang hilang.")},
    ),
    Conversation(
        id="bpjs-tunggakan",
        check="knowledge:kesehatan-bpjs-jkn,kesehatan-bpjs-pbi-nonaktif",
        choose=r"BPJS|JKN",
        persona="typo-heavy",
        goal="BPJS arrears: can they be paid in instalments, where",
        opening=T("bpjs sy nunggak 8 bln gr2 kena phk, skrg kartu nya mati. bs dicicl gk tunggakan nya? trs daftar "
                  "nya dmn"),
        minimum=1,
        reason="one message, both questions answered by the BPJS arrears section",
        milestones=(m_answered((("REHAB", "bertahap", "cicil"), ("Mobile JKN", "165"))),),
        keywords=(("REHAB", "bertahap", "cicil"), ("Mobile JKN", "165")),
        follow_ups=(T("jd tunggakan bpjs bs dicicl ap gk? progrm nya ap"), T("daftar cicilan tunggakan nya lwt ap?")),
        flows=frozenset({"layanan"}),
        facts={"kategori": T("bkn mau lapor, sy nanya tunggakan bpjs bs dicicl gk")},
    ),
    Conversation(
        id="kai-lebaran",
        check="knowledge:transportasi-kereta-api",
        choose=r"Kereta|KAI",
        persona="ojol driver",
        goal="when long-distance train tickets go on sale, senior discount",
        opening=T("bang mau nanya, tiket kereta jarak jauh buat mudik lebaran ke solo mulai bisa dibeli kapan ya? "
                  "bapak sy udah 63 thn dapet potongan ga?"),
        minimum=1,
        reason="one message, both answered by the KAI document",
        milestones=(m_answered((("H-45", "45 hari"), ("20%", "20 persen"))),),
        keywords=(("H-45", "45 hari"), ("20%", "20 persen")),
        follow_ups=(T("oke bang. tiket kereta jarak jauh dibuka h berapa sebelum berangkat?"),
                    T("trus buat lansia 60 thn ke atas ada diskon tiket kereta ga bang?")),
        flows=frozenset({"layanan"}),
        facts={"kategori": T("bukan lapor bang, sy nanya tiket kereta")},
    ),
    Conversation(
        id="pbg-jawa",
        check="knowledge:perizinan-pbg",
        choose=r"PBG|Bangunan Gedung",
        persona="Javanese",
        goal="does a two-storey house need PBG, what documents",
        opening=T("mas, aku arep mbangun omah rong lantai nang Pondok Kelapa, kudu ngurus PBG ora? syarate opo wae "
                  "mas?"),
        minimum=1,
        reason="one question, answered by the PBG requirements section",
        milestones=(m_answered((("kepemilikan", "sertifikat"), ("rencana teknis", "gambar"))),),
        keywords=(("kepemilikan", "sertifikat"), ("rencana teknis", "gambar")),
        follow_ups=(T("syarat ngurus PBG opo wae mas? dokumen e opo?"), T("gambar bangunane kudu disiapke ora mas?")),
        flows=frozenset({"layanan"}),
        facts={"kategori": T("dudu lapor mas, aku takon syarat PBG")},
    ),
    Conversation(
        id="hc-pesan",
        choose=r"Pesan (dokter|HomeCare)",
        rephrase=(T("belum, saya mau pesan dokter datang ke rumah mi, bukan tanya-tanya"), T("pesan homecare")),
        persona="Makassar dialect",
        goal="book a home doctor visit in Karuwisi",
        opening=T("assalamualaikum, mau ka pesan dokter datang ke rumah untuk bapakku, umurnya 74 mi, demam sama "
                  "batuk-batuk sejak 3 hari, susah mi jalan ke puskesmas. rumahku di Karuwisi"),
        told=frozenset({"hc_keluhan", "hc_kelurahan", "hc_umur"}),
        minimum=9,
        reason="age, kelurahan and complaint in message 1; 2 red-flag questions, consent, name, phone, address, "
               "slot, confirm",
        milestones=(m_booked(),),
        flows=frozenset({"homecare"}),
        slot_index=1,
        facts={
            "hc_tb1": T("tidak ada ji"),
            "hc_tb2": T("tidak ada ji"),
            "hc_tb": T("tidak ada ji"),
            "hc_intro": T("iye"),
            "hc_setuju": T("iye setuju"),
            "hc_nama": T("Abdul Rahman Daeng Sese"),
            "hc_umur": (T("74 tahun mi, tadi sudah kubilang"), T("74")),
            "hc_telepon": T("0853 4211 7788"),
            "hc_alamat": T("Jl. Urip Sumoharjo Lorong 5 No. 17, RT 03 RW 04, dekat masjid Nurul Huda, Kel. Karuwisi"),
            "hc_kelurahan": (T("Karuwisi ji"), T("Karuwisi")),
            "hc_puskesmas": T("iye"),
            "hc_keluhan": T("demam sama batuk-batuk sejak 3 hari, lemas ji"),
            "hc_jadwal": T("yang {slot} saja di'"),
            "hc_ringkasan": T("iye, pesan mi"),
            "keluhan_kesehatan": T("iye, pesan dokter ke rumah mi"),
        },
        check="booking:active:Karuwisi",
    ),
    Conversation(
        id="hc-batal",
        rephrase=(T("batalkan mi pesanan dokter ke rumah yang tadi"), T("kodenya lupa mi, yang barusan dipesan")),
        persona="Makassar dialect",
        goal="cancel the visit booked just before in this chat",
        opening=T("eh maaf di', bapakku mau mi dibawa ke rumah sakit sama kakakku. batalkan mi kunjungan dokternya"),
        minimum=2,
        reason="the request and the yes to the confirmation (the code was issued in this chat)",
        milestones=(m_kind("hc_dibatalkan", "booking cancelled"),),
        flows=frozenset({"homecare"}),
        facts={
            "hc_batal_setuju": (T("iye batalkan mi"), T("iye")),
            "kode_booking": T("{code}"),
        },
        continues="hc-pesan",
        check="booking:cancelled",
    ),
    Conversation(
        id="data-hapus",
        choose=r"Lihat data",
        rephrase=(T("maksudnya data pribadi saya min, nama hp dll"),),
        persona='"min" casual',
        goal="see, then delete, my data (typed yes)",
        opening=T("min, data saya apa aja sih yg kesimpen di sini?"),
        minimum=4,
        reason="ask, yes, ask to delete, yes",
        milestones=(m_kind("data_ditampilkan", "data shown"), m_kind("data_dihapus", "data deleted")),
        flows=frozenset({"data"}),
        agenda=(T("oke min, hapus semua data saya"),),
        facts={
            "ekspor_konfirmasi": T("iya tampilin min"),
            "hapus_konfirmasi": T("ya hapus"),
        },
        continues="min-jalan",
        check="data:deleted",
    ),
    Conversation(
        id="minta-petugas",
        choose=r"petugas",
        rephrase=(T("Bukan darurat. Saya hanya ingin bicara dengan petugas."), T("petugas")),
        persona="elderly",
        goal="talk to a person",
        opening=T("Selamat siang. Saya sudah tua, susah mengetik. Tolong sambungkan saya dengan petugas, orang "
                  "sungguhan, soal balik nama sertifikat rumah almarhum suami saya di kelurahan."),
        minimum=1,
        reason="asked plainly in message 1",
        milestones=(m_kind("handoff", "handed to an agent"),),
        flows=frozenset({"petugas"}),
        facts={
            "kategori": T("Bukan melapor. Saya mau bicara dengan petugas."),
            "tawarkan_pilihan": B("/bicara_petugas", "Bicara dengan petugas"),
        },
        check="handoff",
    ),
    Conversation(
        id="iseng",
        persona="bored teen",
        goal="out-of-scope chatter is declined, nothing started",
        opening=T("min bikinin pantun buat gebetan dong"),
        minimum=4,
        reason="four messages, each needs only a polite reply",
        milestones=(m_agenda_done(),),
        flows=frozenset(),
        refusal_ok=True,
        agenda=(T("wkwk km robot ya"), T("yg menang piala dunia kmrn siapa min"), T("yaudh bye")),
        facts={
            "kategori": T("ga jadi, iseng doang"),
            "hc_tb1": T("ga, iseng doang"),
            "lokasi": T("ga jadi, iseng doang"),
        },
        check="nothing",
    ),
    Conversation(
        id="kopi-murah",
        rephrase=(T("kopi yg harganya maksimal 50 ribu"), T("kopi dibawah 50000")),
        persona="button presser",
        goal="village coffee under Rp 50.000",
        opening=T("menu"),
        minimum=3,
        reason="'menu' says nothing of the goal: menu, the catalogue button, the query",
        milestones=(m_products("kopi", 50_000),),
        flows=frozenset({"produk"}),
        presses=True,
        press={"salam": "/cari_produk", "menu": "/cari_produk", "sambutan": "/cari_produk"},
        facts={
            "produk_tanya": (T("kopi bubuk harga di bawah lima puluh ribu"), T("kopi bubuk di bawah 50rb")),
            "produk_hasil": T("yang di bawah 50 ribu aja"),
            "produk_kosong": T("kopi dibawah 50rb"),
            "minta_ulang": T("menu"),  # "ketik menu": so he does, and presses "Produk desa" again
            "jadwal_tanpa_pesanan": T("menu"),
        },
        check="products:kopi:50000",
    ),
    Conversation(
        id="ojol-lampu-peta",
        persona="ojol driver",
        goal="street-light report with a pasted Google Maps link as the place",
        opening=T("bang lampu jalan di flyover deket pangkalan ojek mati udah 4 malem, gelap bgt rawan"),
        told=frozenset({"kategori", "deskripsi"}),
        minimum=4,
        reason="problem and story in message 1; the map link (no kelurahan needed for a pin), photo, "
               "anonymity, confirm",
        milestones=(m_ticket(),),
        flows=frozenset({"pengaduan"}),
        facts={
            "kategori": T("lampu jalan mati bang"),
            "lokasi": T("ini titiknya bang https://www.google.com/maps/place/Flyover/@-6.2003,106.8431,17z/"
                        "data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d-6.20031!4d106.84309", "kelurahan"),
            "kelurahan": T("manggarai bang"),
            "deskripsi": T("lampunya mati udah 4 malem bang, gelap bgt"),
            "foto": T("ga ada foto bang"),
            "identitas": T("anonim aja bang"),
            "persetujuan": T("ga usah bang, anonim"),
            "ringkasan": T("udah bener bang kirim"),
            "dukung": T("bikin baru aja bang"),
        },
        check="complaint:lampu-jalan:anonymous:at=-6.20031,106.84309",
    ),
    Conversation(
        id="gan-skck-lanjutan",
        check="knowledge:administrasi-skck",
        choose=r"SKCK|Catatan Kepolisian",
        persona='"gan" student',
        goal="SKCK requirements, then the fee as a short follow-up",
        opening=T("gan mau nanya syarat bikin skck apa aja ya buat ngelamar kerja"),
        minimum=2,
        reason="the requirements in one answer; the fee is a second, short question that leans on the first",
        milestones=(m_answered((("KTP-el", "Kartu Keluarga"), ("Rp30.000", "30.000"))),),
        keywords=(("KTP-el", "Kartu Keluarga"), ("Rp30.000", "30.000")),
        follow_ups=(T("syarat skck apa aja gan?"), T("oke gan, trus biayanya brp?")),
        flows=frozenset({"layanan"}),
        facts={"kategori": T("bukan lapor gan, nanya skck")},
    ),
    Conversation(
        id="kopi-arabika-lanjutan",
        persona="online shopper",
        goal="village arabica coffee under Rp 70.000, refining a first robusta search",
        opening=T("kak ada kopi robusta dari desa ga? budget maksimal 50rb"),
        minimum=2,
        reason="the first search, then one refinement naming the other variety and a new budget",
        milestones=(m_products("arabika", 70_000),),
        flows=frozenset({"produk"}),
        facts={
            "produk_hasil": T("kalo yg arabika dibawah 70rb ada kak?"),
            "produk_tanya": T("kopi arabika dibawah 70rb"),
            "produk_kosong": T("kopi arabika dibawah 70rb"),
        },
        check="products:arabika:70000",
    ),
)


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------


@dataclass
class Turn:
    n: int
    move: str
    kinds: list[str]
    reply: str  # for --show only; not written to the results file
    buttons: list[str]
    note: str | None = None  # the friction seen on this turn, if any


@dataclass
class Result:
    id: str
    persona: str
    goal: str
    minimum: int
    reason: str
    turns: list[Turn] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    replies_ok: bool = False
    verified: bool | None = None  # None: not checked against the backend
    check_note: str = ""
    error: str | None = None
    seconds: float = 0.0

    @property
    def completed(self) -> bool:
        return self.replies_ok and self.verified is not False and self.error is None

    @property
    def used(self) -> int:
        return len(self.turns)

    @property
    def ratio(self) -> float:
        return self.used / self.minimum

    @property
    def friction(self) -> str:
        for turn in self.turns:
            if turn.note:
                return f"t{turn.n}: {turn.note}"
        return ""


Send = Callable[[Move], list[dict[str, Any]]]


class Driver:
    """Plays one conversation: sends a move, reads the reply, picks the next move."""

    def __init__(self, conv: Conversation, chain: dict[str, Any]) -> None:
        self.conv = conv
        self.state = State(chain=chain, told=set(conv.told), agenda_left=len(conv.agenda))
        self.asides_done: set[int] = set()
        self.pending_retry: Move | None = None
        self.follow_ups_used: list[int] = []
        self.answered: dict[str, int] = {}  # kind -> times answered from the facts
        self.chosen: dict[str, int] = {}  # button title -> times pressed as a choice
        self.rephrased = 0
        self.answering: str | None = None  # the kind the move being sent answers
        self.milestone = 0
        self.missed: list[str] = []
        self.reached: list[str] = []
        self.asked: list[str] = []  # the kind each reply left open, in order

    # --- what the reply did --------------------------------------------------------------------

    def observe(self, view: View) -> str | None:
        """Advances the milestones; returns the friction this reply shows, if any."""
        kinds = kinds_in(view.text)
        moved = False
        while self.milestone < len(self.conv.milestones):
            milestone = self.conv.milestones[self.milestone]
            if milestone.on_aside and not self.state.aside_reply:
                break
            if milestone.reached(view, self.state):
                self.reached.append(milestone.name)
                self.milestone += 1
                moved = True
                self.pending_retry = None  # the aside worked: no need to say it again
                continue
            if milestone.on_aside and self.pending_retry is None:
                # The aside (and its retry) got no fitting reply: that step is lost; go on with the rest.
                self.missed.append(milestone.name)
                self.milestone += 1
                return f"{milestone.name} not reached"
            break
        open_kind = kinds[-1] if kinds else None
        previous = self.asked[-1] if self.asked else None
        self.asked.append(open_kind or "?")
        if moved:
            return None
        if not kinds:
            return "reply not understood by the driver"
        trouble = [k for k in kinds if k in TROUBLE and not (k == "out_of_scope" and self.conv.refusal_ok)]
        if trouble:
            return trouble[-1].replace("_", " ")
        foreign = sorted({FLOW_OF[k] for k in kinds if k in FLOW_OF} - set(self.conv.flows))
        if foreign:
            return f"went to {'/'.join(foreign)} ({open_kind})"
        if self.conv.keywords and "jawaban" in kinds:
            lacking = missing_groups(self.state.answers, self.conv.keywords)
            if lacking:
                return f"answer lacks '{self.conv.keywords[lacking[0]][0]}'"
        if open_kind in self.state.told and open_kind not in INVITATIONS:
            return f"asked again for {open_kind}"
        if open_kind == previous and not self.state.aside_reply:
            return f"same question again ({open_kind})"
        return None

    @property
    def done(self) -> bool:
        return self.milestone >= len(self.conv.milestones)

    # --- what to say next ------------------------------------------------------------------------

    def fill(self, move: Move) -> Move:
        if move.text and "{code}" in move.text and not self.state.chain.get("codes"):
            return self.rephrase()  # no code was issued: the citizen cannot give one
        if move.text and "{" in move.text:
            codes = self.state.chain.get("codes") or [""]
            return replace(move, text=move.text.format(slot=self.state.slot or "", code=codes[-1]))
        return move

    def choose_slot(self, view: View) -> tuple[str, str] | None:
        slots = [b for b in view.buttons if b[1].startswith("/pilih_jadwal")]
        if not slots:
            return None
        chosen = slots[min(self.conv.slot_index, len(slots) - 1)]
        self.state.slot = slot_phrase(chosen[0]) or chosen[0]
        return chosen

    def pressed(self, kind: str, view: View) -> Move | None:
        """The button a presser takes for this kind, if the reply offers one."""
        want = self.conv.press.get(kind) or DEFAULT_PRESS.get(kind)
        if not want:
            return None
        if kind == "hc_jadwal":
            chosen = self.choose_slot(view)
            return B(chosen[1], chosen[0]) if chosen else None
        found = view.button(title=want[6:]) if want.startswith("title:") else view.button(want)
        return B(found[1], found[0]) if found else None

    def knowledge_move(self) -> Move:
        """The follow-up for the first keyword group still missing from the answers (one not asked yet
        first; then the first missing one again)."""
        missing = missing_groups(self.state.answers, self.conv.keywords) if self.state.answers else [0]
        options = [i for i in missing if i < len(self.conv.follow_ups)]
        if not options:
            return self.rephrase()
        fresh = [i for i in options if i not in self.follow_ups_used]
        index = fresh[0] if fresh else options[0]
        self.follow_ups_used.append(index)
        return self.conv.follow_ups[index]

    def fact(self, kind: str) -> Move:
        given = self.conv.facts[kind]
        answers = given if isinstance(given, tuple) else (given,)
        n = self.answered.get(kind, 0)
        self.answered[kind] = n + 1
        self.answering = kind
        return answers[min(n, len(answers) - 1)]

    def next_move(self, view: View) -> Move:
        kind = last_kind(view)
        self.answering = None
        if self.pending_retry is not None:
            move, self.pending_retry = self.pending_retry, None
            self.state.aside_reply = True
            return move
        self.state.aside_reply = False
        for i, aside in enumerate(self.conv.asides):
            if i not in self.asides_done and kind in aside.when:
                self.asides_done.add(i)
                self.pending_retry = aside.retry
                self.state.aside_reply = True
                if aside.say.payload and not view.button(aside.say.payload):
                    return T(aside.say.title or aside.say.payload.lstrip("/"))  # no such button: typed
                return aside.say
        if kind == "hc_jadwal":
            self.choose_slot(view)
        if kind is not None and self.conv.presses:
            button = self.pressed(kind, view)
            if button:
                self.answering = kind
                return button
        if self.conv.choose and kind in CHOICES:
            offered = view.button(title=self.conv.choose)
            if offered and self.chosen.get(offered[0], 0) < 2:
                self.chosen[offered[0]] = self.chosen.get(offered[0], 0) + 1
                return B(offered[1], offered[0])
        if self.conv.keywords and kind in KNOWLEDGE_TURN:
            return self.knowledge_move()
        if kind is not None and kind in self.conv.facts:
            return self.fact(kind)
        if kind == "pengaduan_mulai" and "kategori" in self.conv.facts:
            return self.fact("kategori")
        if kind == "tanpa_draf" and "pengaduan" in self.conv.flows:
            return self.conv.opening  # the draft is gone: report again from the start
        if self.state.agenda_left:
            move = self.conv.agenda[len(self.conv.agenda) - self.state.agenda_left]
            self.state.agenda_left -= 1
            return move
        if self.conv.keywords:
            return self.knowledge_move()
        return self.rephrase()

    def rephrase(self) -> Move:
        """Nothing fits: the citizen says again what they want, in other words each time."""
        options = self.conv.rephrase or (self.conv.opening,)
        move = options[min(self.rephrased, len(options) - 1)]
        self.rephrased += 1
        return move

    def after_send(self, move: Move) -> None:
        """What the citizen has now told: the question this move answered and what else it holds."""
        self.state.told |= set(move.tells)
        if self.answering:
            self.state.told.add(self.answering)


def drive(conv: Conversation, send: Send, chain: dict[str, Any] | None = None) -> Result:
    """Plays the conversation through `send` (one citizen move -> the assistant's replies)."""
    driver = Driver(conv, chain if chain is not None else {})
    result = Result(conv.id, conv.persona, conv.goal, conv.minimum, conv.reason)
    move = conv.opening
    started = time.perf_counter()
    try:
        while True:
            replies = send(move)
            view = View.of(replies)
            result.turns.append(Turn(len(result.turns) + 1, move.shown(), kinds_in(view.text), view.text,
                                     [t for t, _ in view.buttons]))
            driver.after_send(move)
            result.turns[-1].note = driver.observe(view)
            if driver.done or len(result.turns) >= conv.max_turns:
                break
            move = driver.fill(driver.next_move(view))
    except Exception as exc:  # an HTTP failure ends this conversation, not the run
        result.error = f"{type(exc).__name__}: {str(exc)[:120]}"
    result.reached, result.missed = driver.reached, driver.missed
    result.replies_ok = driver.done and not driver.missed
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------------------------------
# Talking to the stack, and checking the real system
# ---------------------------------------------------------------------------------------------


def web_sender(base: str, client: str, pace: float, timeout: float = 120.0) -> Send:
    """Sends moves through the gateway's web API (the widget's routes) as one web client."""
    from citybot.gateway import texts
    from tests.webclient import headers_for

    last = [0.0]

    def send(move: Move) -> list[dict[str, Any]]:
        for _attempt in range(6):
            wait = last[0] + pace - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            last[0] = time.monotonic()
            headers = headers_for(base, client)  # the gateway-issued id standing for this citizen
            if move.location:
                body: dict[str, Any] = {"latitude": move.location[0], "longitude": move.location[1]}
                response = httpx.post(f"{base}/api/messages/location", json=body, headers=headers, timeout=timeout)
            else:
                body = {"payload": move.payload} if move.payload is not None else {"text": move.text or ""}
                response = httpx.post(f"{base}/api/messages", json=body, headers=headers, timeout=timeout)
            if response.status_code == 503:  # gateway busy: the message was not taken, send it again
                time.sleep(5)
                continue
            if response.status_code == 429:  # this network's limit: wait as told, then send it again
                time.sleep(min(60.0, float(response.headers.get("Retry-After", "30"))))
                continue
            response.raise_for_status()
            replies = response.json()["replies"]
            if any(r.get("text") == texts.RATE_LIMITED for r in replies):
                time.sleep(30)  # not the citizen's turn: wait and send the same message again
                continue
            return list(replies)
        raise RuntimeError("gateway kept refusing the message (busy or rate limited)")

    return send


@dataclass
class Checker:
    """The real system's view: backend API (complaints, bookings, data export, products) and the
    agent console's handoff queue. Any part may be missing (then that check is not done)."""

    backend_url: str | None
    api_key: str | None
    sender_key: str | None
    gateway_url: str
    agent_password: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def has_backend(self) -> bool:
        return bool(self.backend_url and self.api_key and self.sender_key)

    def address(self, client: str) -> str:
        from citybot.gateway.senders import sender_id
        from tests.webclient import client_id

        assert self.sender_key
        return sender_id(self.sender_key, "web", client_id(self.gateway_url, client))

    def _city(self) -> Any:
        from citybot.client import CityClient

        return CityClient(self.backend_url, self.api_key, timeout=15)

    def _run(self, call: Callable[[Any], Any]) -> Any:
        async def go() -> Any:
            async with self._city() as city:
                return await call(city)

        return asyncio.run(go())

    def complaints(self, client: str) -> list[Any]:
        return list(self._run(lambda c: c.complaints_of_reporter("web", self.address(client))))

    def export(self, client: str) -> Any:
        return self._run(lambda c: c.export_data(channel="web", address=self.address(client)))

    def complaint(self, ticket: str) -> Any:
        return self._run(lambda c: c.get_complaint(ticket))

    def products(self, q: str, max_price: int) -> list[Any]:
        return list(self._run(lambda c: c.search_products(q, max_price=max_price, page_size=50)).items)

    def handoff_queued(self, client: str) -> bool | None:
        if not self.agent_password or not self.sender_key:
            return None
        headers = {"X-Requested-With": "agent-console"}
        with httpx.Client(base_url=self.gateway_url, timeout=15) as http:
            login = http.post("/agent/api/login", json={"username": "admin", "password": self.agent_password},
                              headers=headers)
            login.raise_for_status()
            queue = http.get("/agent/api/queue").json()["items"]
        return any(item["sender"] == self.address(client) for item in queue)

    def check(self, conv: Conversation, client: str, chain: Mapping[str, Any]) -> tuple[bool | None, str]:
        """(passed, what was checked); passed is None when the check needs what we do not have."""
        kind, _, rest = conv.check.partition(":")
        if kind == "knowledge":
            return check_knowledge(conv, rest.split(","), chain)
        if kind == "handoff":
            queued = self.handoff_queued(client)
            filed = self.complaints(client) if self.has_backend else []
            if queued is None:
                return None, "reply only (no console access)"
            return queued and not filed, f"handoff queued: {queued}; complaints filed: {len(filed)}"
        if not self.has_backend:
            return None, "reply only (no backend access)"
        if kind == "complaint":
            return self._check_complaint(rest, client, chain)
        if kind == "booking":
            return self._check_booking(rest, client, chain)
        if kind == "data":
            export = self.export(client)
            tickets = chain.get("tickets") or []
            kept = [self.complaint(t) for t in tickets]
            personal = len(export.complaints) + len(export.bookings) + len(export.subscriptions)
            ok = personal == 0 and all(k.ticket for k in kept)
            return ok, f"personal records left: {personal}; reports kept anonymised: {len(kept)}"
        if kind == "products":
            word, limit = rest.split(":")
            names = {p.name for p in self.products(word, int(limit))}
            shown = str(chain.get("products_shown") or "")
            listed = [n for n in names if n in shown]
            return bool(listed), f"{len(listed)} of {len(names)} matching catalogue products listed"
        if kind == "nothing":
            filed = self.complaints(client)
            queued = self.handoff_queued(client)
            ok = not filed and not queued
            return ok, f"complaints filed: {len(filed)}; handoff queued: {queued}"
        return None, f"unknown check {conv.check!r}"

    def _check_complaint(self, rest: str, client: str, chain: Mapping[str, Any]) -> tuple[bool, str]:
        """complaint:<service>:<contact|anonymous>[:kel=<kelurahan>][:at=<lat>,<lon>]: filed once, with
        the ticket shown in the chat, the right category, kelurahan or map point, and reporter."""
        service, who, *extras = rest.split(":")
        filed = self.complaints(client)
        tickets = chain.get("tickets") or []
        notes = [f"{len(filed)} filed"]
        ok = len(filed) == 1 and bool(tickets) and filed[0].ticket == tickets[-1]
        if not filed:
            return False, notes[0]
        c = filed[-1]
        notes.append(c.service_code)
        ok = ok and c.service_code == service
        for extra in extras:
            name, _, value = extra.partition("=")
            if name == "kel":
                same = (c.kelurahan or "").lower() == value.lower()
                notes.append(f"Kel. {c.kelurahan}")
                ok = ok and same
            elif name == "at":
                lat, lon = (float(x) for x in value.split(","))
                near = c.lat is not None and c.long is not None and abs(c.lat - lat) < 1e-3 and abs(c.long - lon) < 1e-3
                notes.append(f"map point {'kept' if near else 'lost'}")
                ok = ok and near
        export = self.export(client)
        mine = [x for x in export.complaints if x.get("ticket") == c.ticket]
        named = bool(mine and mine[0].get("reporter_name"))
        notes.append("named" if named else "anonymous")
        return ok and named == (who == "contact"), ", ".join(notes)

    def _check_booking(self, rest: str, client: str, chain: Mapping[str, Any]) -> tuple[bool, str]:
        codes = chain.get("codes") or []
        export = self.export(client)
        mine = [b for b in export.bookings if b.get("code") in codes]
        if not mine:
            return False, f"no booking of this chat ({len(export.bookings)} in export)"
        booking = mine[-1]
        status = str(booking.get("status"))
        want, _, kelurahan = rest.partition(":")
        if want == "cancelled":
            return status == "cancelled", f"{booking.get('code')} {status}"
        ok = status in ("booked", "pending", "proposed") and kelurahan.lower() in str(
            booking.get("kelurahan", "")).lower()
        return ok, f"{booking.get('code')} {status}, Kel. {booking.get('kelurahan')}"


def knowledge_titles(doc_ids: Iterable[str]) -> dict[str, str]:
    """doc id -> (title, full text) of knowledge/<category>/<id>.md."""
    found = {}
    for doc_id in doc_ids:
        for path in (ROOT / "knowledge").glob(f"*/{doc_id}.md"):
            found[doc_id] = path.read_text(encoding="utf-8")
    return found


def check_knowledge(conv: Conversation, doc_ids: Sequence[str], chain: Mapping[str, Any]) -> tuple[bool, str]:
    """The answers cite one of the documents that hold the expected words (knowledge/ as the
    editors wrote it), and those documents do hold every word group (the goal is fair)."""
    docs = knowledge_titles(doc_ids)
    if len(docs) != len(doc_ids):
        return False, f"missing knowledge files: {sorted(set(doc_ids) - set(docs))}"
    titles = {}
    for doc_id, text in docs.items():
        found = re.search(r"^title:\s*(.+)$", text, re.M)
        titles[doc_id] = found.group(1).strip() if found else doc_id
    held = missing_groups("\n".join(docs.values()), conv.keywords)
    # "📄 Sumber: <title> · <link> · diperiksa <date>": the title is what names the document.
    cited = {c.split(" · ")[0].strip() for c in re.findall(r"📄 Sumber:\s*([^\n]+)", str(chain.get("answers") or ""))}
    right = sorted(t for t in titles.values() if t in cited)
    ok = bool(right) and not held
    note = f"cited {', '.join(right) if right else 'none of ' + ', '.join(titles.values())}"
    if held:
        note += f"; the documents lack {[conv.keywords[i][0] for i in held]}"
    return ok, note


# ---------------------------------------------------------------------------------------------
# Running, tables, results
# ---------------------------------------------------------------------------------------------


def chains(convs: Sequence[Conversation]) -> list[list[Conversation]]:
    """Conversations grouped by chat: one that `continues` another runs after it, on its sender."""
    by_id = {c.id: c for c in convs}
    groups: dict[str, list[Conversation]] = {}
    for conv in convs:
        root = conv
        while root.continues and root.continues in by_id:
            root = by_id[root.continues]
        groups.setdefault(root.id, []).append(conv)
    return list(groups.values())


def select(only: str | None) -> list[Conversation]:
    if not only:
        return list(CONVERSATIONS)
    wanted = {w.strip() for w in only.split(",") if w.strip()}
    by_id = {c.id: c for c in CONVERSATIONS}
    unknown = wanted - set(by_id)
    if unknown:
        raise SystemExit(f"unknown conversation ids: {', '.join(sorted(unknown))}; known: {', '.join(by_id)}")
    # a continuation needs the conversation it continues
    for conv_id in list(wanted):
        conv = by_id[conv_id]
        while conv.continues:
            wanted.add(conv.continues)
            conv = by_id[conv.continues]
    return [c for c in CONVERSATIONS if c.id in wanted]


def run_chain(group: Sequence[Conversation], base: str, checker: Checker, pace: float) -> list[Result]:
    client = f"bench-conv-{uuid.uuid4().hex[:12]}"
    send = web_sender(base, client, pace)
    chain: dict[str, Any] = {}
    results = []
    for conv in group:
        result = drive(conv, send, chain)
        if result.error is None:
            try:
                result.verified, result.check_note = checker.check(conv, client, chain)
            except Exception as exc:  # a failed check is a failed conversation, with the reason
                result.verified, result.check_note = False, f"check failed: {type(exc).__name__}: {exc}"[:160]
        results.append(result)
        print(f"  {conv.id}: {'completed' if result.completed else 'NOT completed'} in {result.used} turns "
              f"({result.seconds:.0f} s)", file=sys.stderr, flush=True)
    return results


def yes_no(result: Result) -> str:
    if result.error:
        return "error"
    if not result.completed:
        return "**no**"
    return "yes" if result.verified else "yes (reply only)"


def table(results: Sequence[Result]) -> str:
    rows = [
        (r.id, r.persona, r.goal, yes_no(r), r.used, r.minimum, f"{r.ratio:.2f}", r.friction or "none")
        for r in results
    ]
    return md_table(("conversation", "persona", "goal", "completed", "turns", "minimum", "ratio",
                     "first friction"), rows, right=(4, 5, 6))


def totals(results: Sequence[Result]) -> dict[str, Any]:
    n = len(results)
    done = sum(r.completed for r in results)
    ratios = [r.ratio for r in results]
    mean = sum(ratios) / n if n else math.nan
    return {
        "conversations": n,
        "completed": done,
        "completion_rate": round(done / n, 3) if n else None,
        "turns": sum(r.used for r in results),
        "minimum": sum(r.minimum for r in results),
        "mean_ratio": round(mean, 3),
        "total_ratio": round(sum(r.used for r in results) / max(1, sum(r.minimum for r in results)), 3),
        "with_friction": sum(bool(r.friction) for r in results),
        "goal_met": done == n and mean <= GOAL_MEAN_RATIO,
    }


def show(results: Sequence[Result]) -> None:
    for r in results:
        print(f"\n### {r.id} ({r.persona}): {r.goal}")
        print(f"minimum {r.minimum}: {r.reason}")
        for t in r.turns:
            print(f">> {t.move}")
            for line in t.reply.splitlines():
                print(f"<< {line}" if line.strip() else "<<")
            if t.buttons:
                print("<< [" + " | ".join(t.buttons) + "]")
            print(f"   kinds: {', '.join(t.kinds) or '-'}" + (f"   FRICTION: {t.note}" if t.note else ""))
        print(f"= reached: {', '.join(r.reached) or '-'}; missed: {', '.join(r.missed) or '-'}; "
              f"check: {r.check_note or '-'}" + (f"; error: {r.error}" if r.error else ""))


def record_of(r: Result) -> dict[str, Any]:
    return {
        "id": r.id, "persona": r.persona, "goal": r.goal, "completed": r.completed, "turns": r.used,
        "minimum": r.minimum, "minimum_reason": r.reason, "ratio": round(r.ratio, 3),
        "first_friction": r.friction or None, "frictions": [f"t{t.n}: {t.note}" for t in r.turns if t.note],
        "milestones_reached": r.reached, "milestones_missed": r.missed, "replies_ok": r.replies_ok,
        "verified": r.verified, "check": r.check_note, "error": r.error, "seconds": round(r.seconds, 1),
        "turn_log": [{"move": t.move, "kinds": t.kinds} for t in r.turns],
    }


def checker_for(url: str, stack: Any, backend: str | None) -> Checker:
    if stack is not None:
        return Checker(stack.backend_url, stack.env["BACKEND_API_KEY"], stack.env["SENDER_ID_KEY"], url,
                       stack.env["AGENT_BOOTSTRAP_PASSWORD"])
    # A running instance: the operator passes its backend and keys through the environment.
    return Checker(backend, os.environ.get("BACKEND_API_KEY"), os.environ.get("SENDER_ID_KEY"), url,
                   os.environ.get("AGENT_BOOTSTRAP_PASSWORD"))


def warm_up(url: str) -> None:
    """A throwaway question first, so loading the retrieval index is not billed to a conversation."""
    send = web_sender(url, f"bench-conv-warm-{uuid.uuid4().hex[:8]}", 0)
    for text in ("apa syarat membuat KTP elektronik?", "halo"):
        try:
            send(T(text))
        except Exception as exc:  # the conversations will show it
            print(f"warm-up failed: {exc}", file=sys.stderr)


def run(convs: Sequence[Conversation], url: str, checker: Checker, pace: float, concurrency: int) -> list[Result]:
    groups = chains(convs)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        done = list(pool.map(lambda g: run_chain(g, url, checker, pace), groups))
    by_id = {r.id: r for group in done for r in group}
    return [by_id[c.id] for c in convs]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", help="URL of a running gateway (default: start a fresh stack in a temp dir)")
    parser.add_argument("--backend", help="with --gateway: the backend URL for the real-system checks "
                                          "(keys from BACKEND_API_KEY and SENDER_ID_KEY in the environment)")
    parser.add_argument("--only", help="comma-separated conversation ids (continued chats are added)")
    parser.add_argument("--concurrency", type=int, default=1,
                        help="chats played at once (default 1: no reply is slowed by another chat)")
    parser.add_argument("--pace", type=float, default=None,
                        help="seconds between two messages of one chat (default 0 fresh stack, 3.1 with --gateway)")
    parser.add_argument("--show", action="store_true", help="print every transcript (terminal)")
    parser.add_argument("--list", action="store_true", help="list the conversations and their minimums")
    args = parser.parse_args(list(argv) if argv is not None else None)

    convs = select(args.only)
    if args.list:
        print(md_table(("conversation", "persona", "goal", "minimum", "why"),
                       [(c.id, c.persona, c.goal, c.minimum, c.reason) for c in convs], right=(3,)))
        return 0
    started = time.perf_counter()
    print(f"# Conversations: {len(convs)} scripted citizens\n")
    warning = stale_model_warning(MODEL)
    if warning:
        print(warning + "\n")
    pace = args.pace if args.pace is not None else (3.1 if args.gateway else 0.0)
    extra_env = {"GATEWAY_RATE_LIMIT_PER_MINUTE": "600"}
    with stack_or_gateway(args.gateway, "conversations-", extra_env) as (url, stack):
        ready = time.perf_counter() - started
        print(f"gateway {url} ready after {ready:.0f} s", file=sys.stderr)
        checker = checker_for(url, stack, args.backend)
        warm_up(url)
        run_start = time.perf_counter()
        results = run(convs, url, checker, pace, args.concurrency)
        run_seconds = time.perf_counter() - run_start
    print(table(results))
    summary = totals(results)
    print(f"\n**Totals**: {summary['completed']}/{summary['conversations']} completed "
          f"({summary['completion_rate']:.0%}); mean turns/minimum {summary['mean_ratio']:.2f} "
          f"(all turns {summary['turns']} / all minimums {summary['minimum']} = {summary['total_ratio']:.2f}); "
          f"{summary['with_friction']} with friction. Goal (all completed, mean ratio <= {GOAL_MEAN_RATIO}): "
          f"{'met' if summary['goal_met'] else 'not met'}.")
    unchecked = [r.id for r in results if r.verified is None and r.error is None]
    if unchecked:
        print(f"- checked on the replies only: {', '.join(unchecked)}")
    for r in results:
        if r.error:
            print(f"- {r.id}: error {r.error}")
        elif not r.completed:
            print(f"- {r.id}: missed {', '.join(r.missed) or 'nothing'}; reached {', '.join(r.reached) or 'nothing'}"
                  f"; check: {r.check_note or '-'}")
    total_seconds = time.perf_counter() - started
    print(f"- {len(convs)} conversations in {run_seconds:.0f} s (stack ready in {ready:.0f} s, "
          f"{total_seconds:.0f} s in all)")
    if args.show:
        show(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stamp = MODEL.with_suffix("").with_suffix(".hash")
    RESULTS.write_text(json.dumps({
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "gateway": args.gateway or "fresh stack",
        "model_hash": stamp.read_text().strip() if stamp.exists() else None,
        "stale_model": bool(warning),
        "machine": machine(),
        "seconds": {"ready": round(ready, 1), "run": round(run_seconds, 1), "total": round(total_seconds, 1)},
        "totals": summary,
        "conversations": [record_of(r) for r in results],
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"- results in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
