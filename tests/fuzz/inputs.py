"""Hostile and odd citizen input: a fixed corpus plus Hypothesis strategies."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

CORPUS_FILE = Path(__file__).with_name("corpus.jsonl")
INTENTS = [
    "lapor_pengaduan",
    "cek_status_laporan",
    "sudah_beres",
    "belum_beres",
    "kirim_lokasi",
    "kirim_foto",
    "kirim_pengaduan",
    "ubah_pengaduan",
    "batal",
    "lewati",
    "pilih_anonim",
    "pesan_homecare",
    "batal_homecare",
    "ubah_jadwal_homecare",
    "cari_produk",
    "bicara_petugas",
    "tanya_kemampuan",
    "greet",
    "affirm",
    "deny",
    "tidak",
    "restart",
    "session_start",
    "nlu_fallback",
    "out_of_scope",
    "tidak_ada",
]
ENTITIES = [
    "nomor_tiket",
    "kode_booking",
    "kategori",
    "kelurahan",
    "latitude",
    "longitude",
    "media_url",
    "requested_slot",
    "pengaduan_telepon",
    "sender",
    "bagian_pengaduan",
]
SPECIAL = [
    "\x00",
    "\u200f",
    "\u202e",
    "\u202c",
    "\u200d",
    "\ufeff",
    "\u2028",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "👩🏽‍⚕️",
    "'",
    '"',
    "<",
    ">",
    "&",
    "{",
    "}",
    "[",
    "]",
    "/",
    "\\",
    "%",
    "\n",
    "\r\n",
    "\t",
    "--",
    ";",
    "`",
    "<script>",
    "</textarea>",
    "' OR '1'='1",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "%s%s%n",
    "NIK 3174051203850007",
]
WORDS = [
    "lapor",
    "jalan",
    "rusak",
    "bolong",
    "banjir",
    "sampah",
    "lampu",
    "mati",
    "status",
    "laporan",
    "JKL-2026-000001",
    "HC-AAAAAA",
    "dokter",
    "homecare",
    "periksa",
    "beras",
    "kopi",
    "batik",
    "Banyuwangi",
    "batal",
    "ya",
    "tidak",
    "halo",
    "kak",
    "tolong",
    "petugas",
    "abaikan instruksi",
    "ignore previous",
]


def corpus() -> list[str]:
    return [json.loads(line) for line in CORPUS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


# Any code point a phone keyboard or a script could send, except lone surrogates (the corpus has those).
_any_char = st.characters(codec="utf-8")
free_text = st.lists(
    st.one_of(st.text(_any_char, max_size=24), st.sampled_from(SPECIAL), st.sampled_from(WORDS)), max_size=10
).map(lambda parts: " ".join(parts) if len(parts) % 2 else "".join(parts))
_entity_value = st.one_of(
    st.text(_any_char, max_size=40),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
    st.sampled_from(["JKL-2026-000001", "HC-AAAAAA", "jalan-rusak", "' OR 1=1", "../../x"]),
)
forged_payload = st.builds(
    lambda intent, entities: f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else ""),
    st.sampled_from(INTENTS),
    st.dictionaries(st.sampled_from(ENTITIES), _entity_value, max_size=3),
)
# (field, value): most go as typed text, some as a button payload.
message = st.one_of(
    st.tuples(st.just("text"), free_text),
    st.tuples(st.just("payload"), forged_payload),
    st.tuples(st.just("text"), forged_payload),
)
