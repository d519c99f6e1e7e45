"""NLU-only figures of the real-message benchmark: the trained model's intents (bench/nlu_parse.py
in .venv-rasa) mapped to labels."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.real_data import Message

ROOT = Path(__file__).resolve().parent.parent

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

# ---------------------------------------------------------------------------------------------
# NLU-only: intent -> label. Question intents get a question label from the top knowledge hit.
# ---------------------------------------------------------------------------------------------
QUESTION = "<question>"
INTENT_LABEL: dict[str, str] = {
    "darurat": "emergency",
    "lapor_pengaduan": "complaint_new",
    "cek_status_laporan": "complaint_new",
    "kirim_lokasi": "complaint_new",
    "kirim_foto": "complaint_new",
    "kirim_pengaduan": "complaint_new",
    "ubah_pengaduan": "complaint_new",
    "sudah_beres": "complaint_new",
    "belum_beres": "complaint_new",
    "tanya_layanan": QUESTION,
    "cek_izin": QUESTION,
    "keluhan_kesehatan": QUESTION,
    "pesan_homecare": QUESTION,
    "batal_homecare": QUESTION,
    "ubah_jadwal_homecare": QUESTION,
    "pilih_jadwal": QUESTION,
    "lihat_data_saya": "data_rights",  # never a label: always wrong on this data
    "hapus_data_saya": "data_rights",
    "nlu_fallback": "nlu_fallback",  # below the fallback threshold: always wrong
}
NLU_DEFAULT_LABEL = "out_of_scope"  # salam, chitchat, out_of_scope, terima_kasih, cari_produk, ya, tidak, ...
CATEGORY_LABEL = {"perizinan": "permit_question", "kesehatan": "health_question", "transportasi": "transport_question"}
CATEGORY_DEFAULT_LABEL = "permit_question"


# ---------------------------------------------------------------------------------------------
# NLU only
# ---------------------------------------------------------------------------------------------
def nlu_parse(messages: Sequence[Message], model: Path, python: Path) -> dict[str, dict[str, Any]]:
    """Intent per message from the trained model (bench/nlu_parse.py in Rasa's environment)."""
    with tempfile.TemporaryDirectory(prefix="real-nlu-") as tmp:
        source = Path(tmp) / "in.jsonl"
        source.write_text(
            "".join(json.dumps({"id": m.id, "text": m.text}, ensure_ascii=False) + "\n" for m in messages),
            encoding="utf-8",
        )
        with source.open("rb") as stdin:
            done = subprocess.run(
                [str(python), str(ROOT / "bench" / "nlu_parse.py"), str(model)],
                stdin=stdin,
                capture_output=True,
                cwd=ROOT,
                check=False,
            )
    if done.returncode != 0:
        raise RuntimeError(f"nlu_parse.py failed ({done.returncode}):\n{done.stderr.decode(errors='replace')[-3000:]}")
    parsed = [json.loads(line) for line in done.stdout.decode().splitlines() if line.strip()]
    return {str(p["id"]): p for p in parsed}


def nlu_labels(messages: Sequence[Message], parsed: Mapping[str, Mapping[str, Any]], index_dir: Path) -> dict[str, str]:
    """Label the NLU predicts for each message (question intents: by the top knowledge hit)."""
    predicted: dict[str, str] = {}
    questions: list[Message] = []
    for message in messages:
        intent = str(parsed[message.id].get("intent"))
        label = INTENT_LABEL.get(intent, NLU_DEFAULT_LABEL)
        if label == QUESTION:
            questions.append(message)
        else:
            predicted[message.id] = label
    if questions:
        from citybot.retrieval import Retriever
        from citybot.settings import get_settings

        settings = get_settings()
        retriever = Retriever(
            index_dir,
            bm25_weight=settings.retrieval_bm25_weight,
            dense_weight=settings.retrieval_dense_weight,
            dense_timeout_ms=60_000,
        )
        for message in questions:
            best = retriever.search(message.text, k=1).best
            category = best.category if best else ""
            predicted[message.id] = CATEGORY_LABEL.get(category, CATEGORY_DEFAULT_LABEL)
    return predicted
