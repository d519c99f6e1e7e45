"""Index on an unseen knowledge dir, skip when unchanged, incremental rebuild, live reload."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citybot.retrieval.index import KnowledgeError, build_index, read_manifest
from citybot.retrieval.retriever import Retriever
from citybot.settings import ROOT

from .conftest import CACHE, write_doc


def _synthetic_knowledge(root: Path) -> None:
    """A small city the index has never seen: libraries, vehicle tax, pets."""
    write_doc(
        root,
        "perizinan-kartu-perpustakaan",
        "perizinan",
        "Kartu Anggota Perpustakaan Daerah",
        """
        Warga dapat menjadi anggota perpustakaan daerah dan meminjam buku secara gratis.
        ## Syarat menjadi anggota
        - KTP-el atau kartu pelajar
        - Pas foto 3x4
        ## Meminjam buku
        - Paling banyak 3 buku selama 14 hari, bisa diperpanjang sekali.
        """,
        "[perpustakaan, pinjam buku]",
    )
    write_doc(
        root,
        "perizinan-pajak-kendaraan",
        "perizinan",
        "Membayar Pajak Kendaraan Bermotor",
        """
        Pajak kendaraan bermotor (PKB) dibayar setiap tahun di Samsat atau lewat aplikasi Samsat digital.
        ## Dokumen yang dibawa
        - STNK asli dan KTP pemilik kendaraan
        ## Denda keterlambatan
        - Terlambat membayar dikenai denda sesuai peraturan daerah.
        """,
        "[PKB, Samsat, STNK, pajak motor]",
    )
    write_doc(
        root,
        "kesehatan-vaksin-rabies",
        "kesehatan",
        "Vaksin Rabies untuk Hewan Peliharaan",
        """
        Anjing, kucing, dan kera peliharaan perlu divaksin rabies setahun sekali.
        ## Tempat vaksinasi
        - Puskeswan dan pos vaksinasi keliling dinas peternakan, gratis.
        ## Bila digigit hewan
        - Cuci luka dengan sabun di air mengalir selama 15 menit lalu segera ke puskesmas.
        """,
        "[rabies, anjing, kucing, gigitan hewan]",
    )


@pytest.fixture
def small_index(tmp_path: Path, embedder_spec: tuple[str, str]) -> tuple[Path, Path]:
    source, out = tmp_path / "knowledge", tmp_path / "index"
    _synthetic_knowledge(source)
    result = build_index(source, out, *embedder_spec, progress=False, cache_dir=CACHE)
    assert not result.skipped
    return source, out


def test_unseen_directory_answers_its_own_questions(small_index: tuple[Path, Path]) -> None:
    _, out = small_index
    r = Retriever(out)
    expected = {
        "mau minjem buku di perpus syaratnya apa": "perizinan-kartu-perpustakaan",
        "telat bayar pajak motor kena denda?": "perizinan-pajak-kendaraan",
        "anak digigit anjing tetangga gmn": "kesehatan-vaksin-rabies",
    }
    for query, doc in expected.items():
        answer = r.search(query, k=3)
        assert answer.best is not None and answer.best.doc_id == doc, (query, answer.hits)
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest["counts"] == manifest["counts"] | {"documents": 3, "passages": 9}
    assert manifest["embedder"]["backend"] and manifest["content_hash"] and manifest["built_at"]


def test_unchanged_content_skips_and_edit_reembeds_only_changed(
    small_index: tuple[Path, Path], embedder_spec: tuple[str, str], tmp_path: Path
) -> None:
    source, out = small_index
    own_cache = tmp_path / "own-cache"
    first = build_index(source, out, *embedder_spec, progress=False, cache_dir=own_cache, force=True)
    assert first.embedded == 9
    again = build_index(source, out, *embedder_spec, progress=False, cache_dir=own_cache)
    assert again.skipped and again.manifest["build_id"] == first.manifest["build_id"]
    # Editing one section re-embeds that section only (plus nothing else).
    doc = source / "perizinan" / "perizinan-kartu-perpustakaan.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("14 hari", "21 hari"), encoding="utf-8")
    third = build_index(source, out, *embedder_spec, progress=False, cache_dir=own_cache)
    assert not third.skipped and third.embedded == 1


def test_cli_build_skips_when_content_unchanged(small_index: tuple[Path, Path], embedder_spec: tuple[str, str]) -> None:
    source, out = small_index
    cmd = [
        sys.executable,
        "-m",
        "citybot.retrieval",
        "build",
        "--source",
        str(source),
        "--out",
        str(out),
        "--backend",
        embedder_spec[0],
        "--model",
        embedder_spec[1],
        "--quiet",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "index up to date" in run.stdout


def test_build_refuses_invalid_knowledge(tmp_path: Path, embedder_spec: tuple[str, str]) -> None:
    write_doc(tmp_path, "perizinan-kosong", "perizinan", "Kosong", "Ringkas.\n## A\n")
    with pytest.raises(KnowledgeError) as exc:
        build_index(tmp_path, tmp_path / "out", *embedder_spec, progress=False, cache_dir=CACHE)
    assert "section 'A' is empty" in str(exc.value)
    assert read_manifest(tmp_path / "out") is None


def test_retriever_reloads_when_manifest_changes(
    small_index: tuple[Path, Path], embedder_spec: tuple[str, str]
) -> None:
    source, out = small_index
    r = Retriever(out, check_interval=0.0)
    query = "jadwal pengambilan sampah besar"
    before = r.search(query)
    assert all(h.doc_id != "pengaduan-sampah-besar" for h in before.hits)
    write_doc(
        source,
        "pengaduan-sampah-besar",
        "pengaduan",
        "Pengangkutan Sampah Besar",
        """
        Kasur, lemari, dan sofa bekas diangkut dinas lingkungan hidup sesuai jadwal.
        ## Cara meminta angkut
        - Hubungi kelurahan dan sebutkan jenis barang serta alamat.
        """,
        "[sampah besar, kasur bekas]",
    )
    build_index(source, out, *embedder_spec, progress=False, cache_dir=CACHE)
    # The next search notices the new manifest and swaps the index in the background;
    # searches meanwhile are answered from the old index without waiting.
    deadline = time.monotonic() + 60
    while True:
        r.search(query)
        r.wait_reloaded(timeout=30)
        after = r.search(query)
        if after.best and after.best.doc_id == "pengaduan-sampah-besar":
            break
        assert time.monotonic() < deadline, "index was not reloaded"
        time.sleep(0.05)
    assert r.manifest["counts"]["documents"] == 4  # type: ignore[index]


def test_search_cli_json_lines(small_index: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = small_index
    queries = tmp_path / "q.txt"
    queries.write_text("bayar pkb di samsat\n\nvaksin rabies kucing\n", encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "citybot.retrieval",
            "search",
            "--index",
            str(out),
            "--k",
            "2",
            "--queries",
            str(queries),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["bayar pkb di samsat", "vaksin rabies kucing"]
    assert rows[0]["hits"][0]["doc_id"] == "perizinan-pajak-kendaraan"
    assert rows[1]["hits"][0]["doc_id"] == "kesehatan-vaksin-rabies"
    assert set(rows[0]["hits"][0]) == {"doc_id", "section", "score"} and len(rows[0]["hits"]) == 2


def test_search_is_bounded_when_the_model_is_slow(small_index: tuple[Path, Path]) -> None:
    """With a deadline shorter than any embedding, search answers from BM25 alone, at once."""
    _, out = small_index
    r = Retriever(out, dense_timeout_ms=0.01)
    for i in range(3):  # the later calls find the model still busy and do not queue behind it
        started = time.perf_counter()
        answer = r.search(f"pajak motor saya telat dibayar {i} bulan, dendanya gimana")
        assert time.perf_counter() - started < 1.0
        assert answer.best is not None and answer.best.doc_id == "perizinan-pajak-kendaraan"
        if i == 0:
            assert answer.features["dense_top"] == 0.0  # the dense part was skipped


def test_large_corpora_switch_to_an_approximate_index(
    small_index: tuple[Path, Path], embedder_spec: tuple[str, str], tmp_path: Path
) -> None:
    source, _ = small_index
    out = tmp_path / "ann"
    result = build_index(source, out, *embedder_spec, progress=False, cache_dir=CACHE, ann_threshold=4)
    assert result.manifest["index_type"] == "hnsw"
    answer = Retriever(out).search("anak digigit anjing tetangga gmn")
    assert answer.best is not None and answer.best.doc_id == "kesehatan-vaksin-rabies"
