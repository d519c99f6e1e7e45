"""What the real-message benchmark counts as an outcome of the first turn, and how well each
outcome fits each label (bench/real_messages.py)."""

from __future__ import annotations

LABELS = (
    "complaint_new",
    "emergency",
    "permit_question",
    "health_question",
    "transport_question",
    "out_of_scope",
)
QUESTION_LABELS = ("permit_question", "health_question", "transport_question")

# ---------------------------------------------------------------------------------------------
# Outcomes: what the assistant did on the first turn. Extend these tables when responses are
# added to bot/domain (an unmapped key shows up as `other` and is listed after the tables).
# ---------------------------------------------------------------------------------------------
FRAGMENT = "<fragment>"  # parts of other messages (button titles, list lines): never a reply of their own

# Turn outcome when several responses were sent: the first in this order wins.
OUTCOME_PRIORITY = (
    "emergency",  # emergency guidance (112/119/113/110/115 ...)
    "data_rights",  # "lihat/hapus data saya" flow opened
    "complaint_form",  # complaint form started (or any of its questions)
    "homecare",  # HomeCare booking / everyday health complaint advice
    "knowledge_answer",  # an answer retrieved from knowledge/, with its source title
    "no_knowledge_channel",  # honest "I do not have that" that names the official channel
    "permit_status",  # permit application status by number (asks for the number)
    "complaint_status",  # status of an earlier complaint / "sudah beres?"
    "catalogue",  # Smart Kampung product search
    "handoff",  # handed to a human agent
    "refusal",  # polite "out of my scope"
    "clarify",  # clarifying question, "maksudnya ...?" with options, please rephrase
    "error",  # system busy / retrieval unavailable / HTTP error: not a judgement of understanding
    "greeting_only",  # greeting, menu, small talk, thanks
)
OUTCOMES = (*OUTCOME_PRIORITY, "other")

OUTCOME_BY_KEY: dict[str, str] = {
    # emergency
    "utter_darurat": "emergency",
    # knowledge
    "utter_jawaban": "knowledge_answer",
    "utter_apakah_terjawab": "knowledge_answer",
    "utter_senang_membantu": "greeting_only",
    "utter_belum_yakin_jawaban": "clarify",  # "belum yakin, maksud Anda salah satu topik ini?" + titles
    "utter_kandidat_lain": "clarify",
    "utter_tidak_ada_kandidat": "clarify",
    "utter_jawaban_tidak_ditemukan": "no_knowledge_channel",  # "belum ada di catatan saya" + official channels
    "utter_tanya_layanan_segera": "clarify",  # "silakan tulis pertanyaan Anda"
    "utter_tanya_topik": "clarify",
    "utter_bukan_laporan": "clarify",  # "bukan laporan, ini jawabannya": the answer that follows wins
    "utter_bukan_laporan_silakan": "clarify",
    "utter_jawaban_tidak_tersedia": "error",  # retrieval down or over its time limit
    # general
    "utter_selamat_datang": "greeting_only",  # session start: precedes every first reply
    "utter_salam": "greeting_only",
    "utter_menu": "greeting_only",
    "utter_selamat_tinggal": "greeting_only",
    "utter_terima_kasih_kembali": "greeting_only",
    "utter_sama_sama_singkat": "greeting_only",
    "utter_out_of_scope": "refusal",
    "utter_tawarkan_pilihan": "clarify",
    "utter_minta_ulang": "clarify",
    "utter_gangguan_sistem": "error",
    # a service this city does not run: who runs it and what this city has instead
    "utter_layanan_kota_lain": "no_knowledge_channel",
    "utter_layanan_belum_ada": "no_knowledge_channel",
    # data rights
    "utter_konfirmasi_ekspor_data": "data_rights",
    "utter_konfirmasi_hapus_data": "data_rights",
    "utter_data_kosong_isian": FRAGMENT,
    # HomeCare
    "utter_keluhan_kesehatan": "homecare",
    "utter_keluhan_kesehatan_tanpa_homecare": "homecare",
    "utter_ask_kode_booking": "homecare",
    "utter_pilih_jadwal_tanpa_pesanan": "homecare",
    "utter_hc_umur_label": FRAGMENT,
    "utter_hc_umur_bayi": FRAGMENT,
    # permits
    "utter_ask_nomor_izin": "permit_status",
    "utter_izin_catatan": FRAGMENT,
    "utter_izin_belum_ada_perkiraan": FRAGMENT,
    # complaint form pieces
    "utter_pengaduan_tombol_petugas": FRAGMENT,
    "utter_pengaduan_tombol_batal": FRAGMENT,
    "utter_pengaduan_foto_ada": FRAGMENT,
    "utter_pengaduan_foto_tidak_ada": FRAGMENT,
    "utter_pengaduan_pelapor_anonim": FRAGMENT,
    "utter_pengaduan_status_antrean": FRAGMENT,
    # catalogue pieces
    "utter_produk_baris": FRAGMENT,
    "utter_produk_pengantar": FRAGMENT,
    "utter_produk_pengantar_alternatif": FRAGMENT,
    "utter_produk_penutup_lagi": FRAGMENT,
    "utter_produk_penutup_habis": FRAGMENT,
    "utter_produk_pesan_wa": FRAGMENT,
    "utter_produk_tanpa_batas_harga": FRAGMENT,
    "utter_produk_tanpa_desa": FRAGMENT,
    "utter_produk_tanpa_kata": FRAGMENT,
    "utter_tombol_petugas": FRAGMENT,
    "utter_pilihan_lainnya": FRAGMENT,
    # texts the gateway sends itself (citybot/gateway/texts.py)
    "gateway:NO_ANSWER": "clarify",
    "gateway:BUSY": "error",
    "gateway:RATE_LIMITED": "error",
    "gateway:UNREADABLE": "error",
    "gateway:NOT_SUPPORTED": "error",
    "gateway:EMPTY_MESSAGE": "error",
    "gateway:TOO_LONG": "error",
    "gateway:PHOTO_FAILED": "error",
    "gateway:COMPLAINTS_LIMITED": "error",
    "gateway:LOOKUPS_LIMITED": "error",
    "gateway:NETWORK_BUSY": "error",
    "gateway:PHOTOS_LIMITED": "error",
    "gateway:PHOTO_TOO_LARGE": "error",
    "gateway:TOO_LARGE": "error",
    "gateway:STATUS_CHANGED": "complaint_status",
    "gateway:STATUS_RESOLVED_QUESTION": "complaint_status",
    "gateway:AGENT_JOINED": "handoff",
    "gateway:AGENT_LEFT": "handoff",
    "gateway:BUTTON_RESOLVED": FRAGMENT,
    "gateway:BUTTON_NOT_RESOLVED": FRAGMENT,
    "gateway:CHOOSE": FRAGMENT,
    "gateway:LIST_BUTTON": FRAGMENT,
}

# Longest matching prefix wins; OUTCOME_BY_KEY is checked first.
OUTCOME_BY_PREFIX: dict[str, str] = {
    "utter_darurat": "emergency",  # typed emergencies (utter_darurat_bencana, ...) and
    # the offer to record a report after the safety message
    "utter_judul_": FRAGMENT,  # button titles
    "utter_topik_": FRAGMENT,
    "utter_syarat_": FRAGMENT,
    "utter_ask_pengaduan_": "complaint_form",
    "utter_pengaduan_": "complaint_form",
    "utter_status_": "complaint_status",
    "utter_penyelesaian_": "complaint_status",
    "utter_data_bagian_": FRAGMENT,
    "utter_data_baris_": FRAGMENT,
    "utter_data_": "data_rights",
    "utter_ask_hc_": "homecare",
    "utter_hc_": "homecare",
    "utter_homecare": "homecare",
    "utter_izin_": "permit_status",
    "utter_produk_": "catalogue",
    "utter_petugas_alasan_": FRAGMENT,  # the summary sent to the agent, not to the citizen
    "utter_petugas_": "handoff",
    "utter_chitchat/": "greeting_only",
    "utter_menu_": FRAGMENT,  # menu lines and buttons, offered per city
    "utter_nama_layanan_": FRAGMENT,
    "utter_daftar_": FRAGMENT,
    "utter_alternatif_": FRAGMENT,  # follows utter_layanan_kota_lain
}

# Fit of an outcome for a label (missing = 0). Emergency guidance fits only an emergency, and an
# emergency is fitted only by emergency guidance (a clarifying question does not count half there).
_QUESTION_FIT = {"knowledge_answer": 1.0, "no_knowledge_channel": 1.0, "clarify": 0.5}
FIT: dict[str, dict[str, float]] = {
    "complaint_new": {"complaint_form": 1.0, "clarify": 0.5},
    "emergency": {"emergency": 1.0},
    "permit_question": dict(_QUESTION_FIT),
    "health_question": dict(_QUESTION_FIT),
    "transport_question": dict(_QUESTION_FIT),
    "out_of_scope": {"refusal": 1.0, "no_knowledge_channel": 1.0, "clarify": 0.5},
}


def outcome_of_key(key: str) -> str | None:
    """The outcome a response key stands for, FRAGMENT, or None when the tables do not know it."""
    if key in OUTCOME_BY_KEY:
        return OUTCOME_BY_KEY[key]
    best = max((p for p in OUTCOME_BY_PREFIX if key.startswith(p)), key=len, default=None)
    return OUTCOME_BY_PREFIX[best] if best else None


def fit(label: str, outcome: str) -> float:
    return FIT[label].get(outcome, 0.0)
