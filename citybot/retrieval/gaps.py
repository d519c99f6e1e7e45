"""What citizens asked that the assistant could not answer, grouped by meaning, for editors.

Input: the masked questions the backend kept as signals (not understood, low-confidence answer,
"Belum" feedback, handoff), or any list of texts. Each question is de-slanged as the retrieval
reads it, embedded with the same e5 model the index uses (as a query: e5's prefix for short
texts compared with each other), and grouped by agglomerative clustering on cosine distance
with a distance threshold rather than a fixed number of groups (`bench/gaps.py` picks the
threshold on a labelled set). Each group gets its size, the kinds of signal, three examples, the
knowledge documents that came closest (the city's index searched with the group's centroid)
and a Markdown stub in the knowledge format that passes the validator once saved.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .documents import CATEGORIES
from .embedders import Embedder, get_embedder
from .index import LoadedIndex, read_manifest
from .text import Analyzer, load_lexicon

# Cosine distance under which two questions join one group (average linkage); chosen by
# `bench/gaps.py` on bench/data/gap_questions.yml (pair precision/recall in the module's report).
DEFAULT_THRESHOLD = 0.12
EXAMPLES = 3
CLOSEST_DOCS = 3
# A stub borrows category and source from its closest document only when that document is
# really near: e5-small puts unrelated Indonesian sentences at cosine 0.78-0.85 to each other.
BORROW_ABOVE = 0.85
KIND_LABELS = {
    "not_understood": "tidak dipahami",
    "low_confidence": "jawaban ragu",
    "negative_feedback": "dijawab 'Belum'",
    "handoff": "minta petugas",
    "text": "teks",
}
# When no document is close enough to borrow from: the national government's portal, a real
# starting point that the editor replaces with the rule's own source before setting `reviewed`.
FALLBACK_SOURCE = "https://indonesia.go.id"
FALLBACK_CATEGORY = "sosial"
_WORD = re.compile(r"[a-z][a-z0-9]+")
_MASKS = {"nama", "email"}  # what privacy.mask_personal leaves in a text


@dataclass(frozen=True)
class Question:
    text: str
    kind: str = "text"
    closest: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class DocRef:
    id: str
    title: str
    score: float


@dataclass
class GapGroup:
    size: int
    kinds: dict[str, int]
    examples: list[str]
    closest_docs: list[DocRef] = field(default_factory=list)
    stub_markdown: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Grouper:
    """The embedder, the city's index (for closest documents) and the de-slanging analyser."""

    def __init__(self, embedder: Embedder, index: LoadedIndex | None = None) -> None:
        self.embedder = embedder
        self.index = index
        self.analyzer = index.analyzer if index is not None else Analyzer(load_lexicon())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = [self.embedder.embed_query(self.analyzer.surface(t) or t).reshape(-1) for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, self.embedder.dim), dtype=np.float32)

    def group(
        self, questions: Sequence[Question], threshold: float = DEFAULT_THRESHOLD, today: dt.date | None = None
    ) -> list[GapGroup]:
        """Groups, largest first (ties: more distinct phrasings first, then the first example)."""
        questions = [q for q in questions if q.text.strip()]
        if not questions:
            return []
        # Identical texts are embedded once; they still count in the group's size.
        unique = list(dict.fromkeys(" ".join(q.text.split()) for q in questions))
        vectors = self.embed(unique)
        labels = cluster(vectors, threshold)
        where = {text: i for i, text in enumerate(unique)}
        members: dict[int, list[Question]] = {}
        for q in questions:
            members.setdefault(int(labels[where[" ".join(q.text.split())]]), []).append(q)
        groups: list[tuple[int, int, str, GapGroup]] = []
        for label, found in members.items():
            rows = [i for i, lab in enumerate(labels) if lab == label]
            centroid = vectors[rows].mean(axis=0)
            centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
            nearest = sorted(rows, key=lambda i: -float(vectors[i] @ centroid))
            examples = [unique[i] for i in nearest[:EXAMPLES]]
            docs = self.closest_docs(centroid, found)
            group = GapGroup(
                size=len(found),
                kinds=dict(Counter(q.kind for q in found).most_common()),
                examples=examples,
                closest_docs=docs,
            )
            group.stub_markdown = self.stub(group, [unique[i] for i in nearest], today or dt.date.today())
            groups.append((len(found), len(rows), examples[0], group))
        groups.sort(key=lambda g: (-g[0], -g[1], g[2]))
        return [g[3] for g in groups]

    def closest_docs(self, centroid: np.ndarray, found: Sequence[Question]) -> list[DocRef]:
        """The documents whose passages lie nearest the group's centroid (cosine); without a dense
        index, the documents the retrieval itself offered when the questions were asked."""
        index = self.index
        if index is not None and index.faiss is not None and index.passages:
            scores, ids = index.faiss.search(centroid.reshape(1, -1).astype(np.float32), min(30, len(index.passages)))
            best: dict[str, tuple[float, str]] = {}
            for score, i in zip(scores[0], ids[0], strict=True):
                if i < 0:
                    continue
                p = index.passages[int(i)]
                if p.doc_id not in best or float(score) > best[p.doc_id][0]:
                    best[p.doc_id] = (float(score), p.title)
            ranked = sorted(best.items(), key=lambda item: -item[1][0])[:CLOSEST_DOCS]
            return [DocRef(doc, title, round(score, 4)) for doc, (score, title) in ranked]
        seen: dict[str, list[float]] = {}
        for q in found:
            for doc, score in q.closest:
                seen.setdefault(doc, []).append(score)
        ranked_ids = sorted(seen, key=lambda d: -sum(seen[d]) / len(seen[d]))[:CLOSEST_DOCS]
        return [DocRef(d, d, round(sum(seen[d]) / len(seen[d]), 4)) for d in ranked_ids]

    def _doc_meta(self, doc_id: str) -> tuple[str, list[str]]:
        if self.index is not None:
            for p in self.index.passages:
                if p.doc_id == doc_id:
                    return p.category, list(p.sources)
        return "", []

    def keywords(self, texts: Sequence[str], limit: int = 5) -> list[str]:
        """Topic words shared by the group's questions, most shared first (stop words dropped)."""
        stop = self.analyzer.stopwords
        counts: Counter[str] = Counter()
        first_seen: dict[str, int] = {}
        for text in texts:
            words = [w for w in _WORD.findall(self.analyzer.surface(text)) if w not in stop and w not in _MASKS]
            for w in dict.fromkeys(words):
                counts[w] += 1
                first_seen.setdefault(w, len(first_seen))
        return sorted(counts, key=lambda w: (-counts[w], first_seen[w]))[:limit]

    def stub(self, group: GapGroup, texts: Sequence[str], today: dt.date) -> str:
        category, sources = (FALLBACK_CATEGORY, [FALLBACK_SOURCE])
        if group.closest_docs and group.closest_docs[0].score >= BORROW_ABOVE:
            found_category, found_sources = self._doc_meta(group.closest_docs[0].id)
            category = found_category if found_category in CATEGORIES else category
            sources = found_sources[:1] or sources
        keywords = self.keywords(texts)
        # The title reads in the order the most central question uses the words.
        lead = self.analyzer.surface(texts[0]).split()
        top = sorted(keywords[:3], key=lambda w: lead.index(w) if w in lead else len(lead))
        title = " ".join(w.capitalize() for w in top) or "Pertanyaan Warga"
        return knowledge_stub(title, category, keywords, sources, group, today)


def cluster(vectors: np.ndarray, threshold: float) -> np.ndarray:
    """Agglomerative clustering (average linkage, cosine distance) cut at `threshold`."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold)
    return np.asarray(model.fit_predict(vectors), dtype=np.int64)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50].strip("-") or "pertanyaan"


def _yaml_comment(text: str) -> str:
    return " ".join(text.split()).replace('"', "'")


def knowledge_stub(
    title: str, category: str, keywords: Sequence[str], sources: Sequence[str], group: GapGroup, today: dt.date
) -> str:
    """A document in the knowledge format, ready to edit: `reviewed: belum` until a person has
    checked it against its sources; the example questions sit in front-matter comments, so they
    guide the editor and never reach a citizen."""
    doc_id = f"draf-{slug(title)}"
    kinds = ", ".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in group.kinds.items())
    lines = [
        "---",
        f"id: {doc_id}",
        f"title: {title}",
        f"category: {category}  # dari dokumen terdekat; ganti bila kurang tepat",
        "keywords: [" + ", ".join(keywords) + "]",
        "sources:",
        f"  - {sources[0] if sources else FALLBACK_SOURCE}  # GANTI dengan sumber resmi yang Anda periksa",
        f"updated: {today.isoformat()}",
        "reviewed: belum",
        f"# Pertanyaan warga yang belum terjawab ({group.size} kali: {kinds}), contoh:",
        *[f'#   - "{_yaml_comment(t)}"' for t in group.examples],
    ]
    if group.closest_docs:
        near = ", ".join(f"{d.id} ({d.score:.2f})" for d in group.closest_docs)
        lines.append(f"# Dokumen terdekat (periksa dulu, mungkin cukup ditambah di sana): {near}")
    lines += [
        "---",
        f"# {title}",
        "Tulis ringkasan satu atau dua kalimat: layanan apa ini, untuk siapa, dan di mana mengurusnya.",
        "",
        "## Persyaratan",
        "- Tulis dokumen atau syarat yang perlu disiapkan warga.",
        "",
        "## Prosedur",
        "1. Tulis langkah pertama, lalu langkah berikutnya.",
        "",
    ]
    return "\n".join(lines)


def stub_path(group: GapGroup) -> str:
    """Where the stub belongs under knowledge/, read back from its own front matter."""
    doc_id = re.search(r"^id: (\S+)$", group.stub_markdown, re.MULTILINE)
    category = re.search(r"^category: (\S+)", group.stub_markdown, re.MULTILINE)
    return f"{category.group(1) if category else FALLBACK_CATEGORY}/{doc_id.group(1) if doc_id else 'draf'}.md"


_cache_lock = threading.Lock()
_cached: dict[str, tuple[str, Grouper]] = {}


def grouper_for(index_dir: Path, backend: str, model: str) -> Grouper:
    """One Grouper per index directory, loaded on first use and again when the index is rebuilt;
    without a built index, the configured embedder alone (closest documents then come from the
    signals themselves)."""
    manifest = read_manifest(index_dir)
    build = str(manifest.get("build_id")) if manifest else ""
    key = str(index_dir)
    with _cache_lock:
        cached = _cached.get(key)
        if cached is not None and cached[0] == build:
            return cached[1]
        index = LoadedIndex(index_dir, manifest) if manifest else None
        spec = index.embedder_spec if index is not None else (backend, model)
        embedder = get_embedder(*spec)
        if embedder is None:
            raise RuntimeError("the gap report needs an embedding model (EMBEDDING_BACKEND is 'none')")
        grouper = Grouper(embedder, index)
        _cached[key] = (build, grouper)
        return grouper
