"""What citizens asked that the assistant could not answer, grouped by meaning, for editors.

Input: the masked questions the backend kept as signals (not understood, low-confidence answer,
"Belum" feedback, handoff), or any list of texts. Each question is read as the retrieval reads
it (de-slanged), and represented like the retrieval's hybrid search:
- dense: its content words embedded with the index's e5 model (as a query), minus the mean
  vector of a background of citizens' questions (knowledge/checks.yml). Short questions share
  so much filler ("min", "gimana", "apa aja") that raw e5 vectors all sit near each other;
- lexical: TF-IDF over the retrieval analyser's stemmed terms (topic words: paspor, PBB, SIM).
Groups come from agglomerative clustering (average linkage, cosine distance) cut at a distance
threshold, not a fixed number of groups; `bench/gaps.py` picks the weights and the threshold on
a labelled set (see its figures there). Each group gets its size, the kinds of signal, three
examples, the knowledge documents that came closest (the group's central questions searched in
the city's hybrid index, scored by the retrieval's own calibrated confidence: raw e5 cosines put
every document at 0.86-0.89) and a Markdown stub in the knowledge format that passes the
validator once saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .documents import CATEGORIES, CHECKS_FILE
from .embedders import Embedder, get_embedder
from .index import LoadedIndex, read_manifest
from .text import Analyzer, load_lexicon

# Chosen by `bench/gaps.py` on bench/data/gap_questions.yml: the share of the dense part in the
# similarity, and the cosine distance under which two questions join one group.
DENSE_WEIGHT = 0.35
DEFAULT_THRESHOLD = 0.875
EXAMPLES = 3
CLOSEST_DOCS = 3
# A stub borrows category and source from its closest document only when the retrieval would
# offer that document with at least this confidence (its own "not found" line is 0.2).
BORROW_ABOVE = 0.3
BM25_WEIGHT = 0.5  # the retrieval's measured default (settings.retrieval_bm25_weight)
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
    """The embedder, the city's index (for closest documents), the de-slanging analyser and the
    background questions the dense vectors are centred on."""

    def __init__(
        self,
        embedder: Embedder,
        index: LoadedIndex | None = None,
        background: Sequence[str] = (),
        cache_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.index = index
        self.analyzer = index.analyzer if index is not None else Analyzer(load_lexicon())
        self.background = [t for t in background if t.strip()]
        self.cache_dir = cache_dir
        self._background_mean: np.ndarray | None = None
        self._lock = threading.Lock()

    def content(self, text: str) -> str:
        """The de-slanged words that carry a topic: fillers and question words dropped."""
        words = [w for w in _WORD.findall(self.analyzer.surface(text)) if w not in self.analyzer.stopwords]
        return " ".join(w for w in words if w not in _MASKS) or self.analyzer.surface(text) or text

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """e5 query vectors of the texts' content words (unit length)."""
        rows = [self.embedder.embed_query(self.content(t)).reshape(-1) for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, self.embedder.dim), dtype=np.float32)

    def background_mean(self) -> np.ndarray | None:
        """Mean vector of the background questions, embedded once (and kept on disk by content)."""
        if not self.background:
            return None
        with self._lock:
            if self._background_mean is not None:
                return self._background_mean
            digest = hashlib.sha256("\n".join([self.embedder.key, *self.background]).encode()).hexdigest()[:20]
            path = self.cache_dir / f"gaps-background-{digest}.npy" if self.cache_dir else None
            if path is not None and path.exists():
                self._background_mean = np.load(path)
            else:
                self._background_mean = self.embed(self.background).mean(axis=0)
                if path is not None:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    np.save(path, self._background_mean)
            return self._background_mean

    def features(self, texts: Sequence[str], dense: np.ndarray, weight: float = DENSE_WEIGHT) -> np.ndarray:
        """Hybrid rows: centred dense part and TF-IDF part, each of unit length, weighted."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        mean = self.background_mean()
        if mean is None and len(dense) >= 20:  # no background: the batch, when large enough to say much
            mean = dense.mean(axis=0)
        if mean is None:  # uncentred e5 vectors of short questions all look alike: words alone decide
            weight = 0.0
            mean = np.zeros(dense.shape[1], dtype=np.float32)
        centred = _unit(dense - mean)
        vectoriser = TfidfVectorizer(analyzer=self.analyzer.terms, sublinear_tf=True)
        try:
            vectoriser.fit([*self.background, *texts])
            lexical = _unit(np.asarray(vectoriser.transform(texts).toarray(), dtype=np.float32))
        except ValueError:  # not one topic word in any text
            lexical = np.zeros((len(texts), 1), dtype=np.float32)
        return np.hstack([np.sqrt(weight) * centred, np.sqrt(1 - weight) * lexical])

    def group(
        self, questions: Sequence[Question], threshold: float = DEFAULT_THRESHOLD, today: dt.date | None = None
    ) -> list[GapGroup]:
        """Groups, largest first (ties: more distinct phrasings first, then the first example)."""
        questions = [q for q in questions if q.text.strip()]
        if not questions:
            return []
        # Identical texts are embedded once; they still count in the group's size.
        unique = list(dict.fromkeys(" ".join(q.text.split()) for q in questions))
        dense = self.embed(unique)
        vectors = self.features(unique, dense)
        labels = cluster(vectors, threshold)
        where = {text: i for i, text in enumerate(unique)}
        members: dict[int, list[Question]] = {}
        for q in questions:
            members.setdefault(int(labels[where[" ".join(q.text.split())]]), []).append(q)
        groups: list[tuple[int, int, str, GapGroup]] = []
        for label, found in members.items():
            rows = [i for i, lab in enumerate(labels) if lab == label]
            middle = vectors[rows].mean(axis=0)
            nearest = sorted(rows, key=lambda i: -float(vectors[i] @ middle))
            examples = [unique[i] for i in nearest[:EXAMPLES]]
            docs = self.closest_docs([unique[i] for i in nearest], found)
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

    def closest_docs(self, texts: Sequence[str], found: Sequence[Question]) -> list[DocRef]:
        """The documents the retrieval itself would offer for the group's questions: each of the
        (up to five) most central questions is ranked by the hybrid index, a document scores the
        retrieval's calibrated confidence scaled by its share of the top score, averaged over the
        questions. Without an index: the documents offered when the questions were asked."""
        index = self.index
        if index is not None and index.passages:
            from .confidence import confidence

            totals: dict[str, float] = {}
            asked = list(texts[:5])
            for text in asked:
                ranking = index.rank(text, self.embedder, BM25_WEIGHT, 1 - BM25_WEIGHT, k=CLOSEST_DOCS)
                if not ranking.hits:
                    continue
                sure = confidence(ranking.features, index.manifest["calibration"])
                top = max(ranking.hits[0].score, 1e-9)
                for hit in ranking.hits:
                    totals[hit.doc_id] = totals.get(hit.doc_id, 0.0) + sure * hit.score / top
            ranked = sorted(totals.items(), key=lambda item: -item[1])[:CLOSEST_DOCS]
            return [DocRef(doc, self._doc_title(doc), round(total / len(asked), 4)) for doc, total in ranked]
        seen: dict[str, list[float]] = {}
        for q in found:
            for doc, score in q.closest:
                seen.setdefault(doc, []).append(score)
        ranked_ids = sorted(seen, key=lambda d: -sum(seen[d]) / len(seen[d]))[:CLOSEST_DOCS]
        return [DocRef(d, d, round(sum(seen[d]) / len(seen[d]), 4)) for d in ranked_ids]

    def _doc_title(self, doc_id: str) -> str:
        if self.index is not None:
            for p in self.index.passages:
                if p.doc_id == doc_id:
                    return p.title
        return doc_id

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


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return np.asarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


def background_questions(knowledge_dir: Path) -> list[str]:
    """The editors' own test questions (checks.yml): how this city's citizens phrase things. A
    knowledge folder without them borrows the project's national set."""
    from citybot.settings import ROOT

    for path in (knowledge_dir / CHECKS_FILE, ROOT / "knowledge" / CHECKS_FILE):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
        except (OSError, yaml.YAMLError):  # a broken checks file is the validator's business
            data = None
        checks = data.get("checks") if isinstance(data, dict) else None
        found = [str(c["q"]) for c in checks or [] if isinstance(c, dict) and c.get("q")]
        if found:
            return found
    return []


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


def grouper_for(
    index_dir: Path, backend: str, model: str, knowledge_dir: Path | None = None, cache_dir: Path | None = None
) -> Grouper:
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
        background = background_questions(knowledge_dir) if knowledge_dir is not None else []
        grouper = Grouper(embedder, index, background, cache_dir)
        _cached[key] = (build, grouper)
        return grouper
