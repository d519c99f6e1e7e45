"""The search API the action server uses.

`get_retriever()` returns one process-wide `Retriever` (created on first use, never at import).
`Retriever.search()` is synchronous and bounded: it does one stat of the manifest at most once a
second; when an editor's rebuild replaced the manifest, the new index is loaded on a background
thread and swapped in, while searches keep using the old one meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .confidence import confidence
from .embedders import Embedder, get_embedder
from .index import LoadedIndex, build_index, read_manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    doc_id: str
    title: str
    section: str
    text: str  # Markdown passage, bullets kept
    category: str
    score: float
    passage_id: str = ""
    updated: str = ""
    sources: tuple[str, ...] = ()  # official links of the document, most authoritative first
    reviewed: str = ""  # ISO date a person last checked the document, "" if never
    scope: str = ""  # "" / nasional / city profile key: the rule is local to that city


@dataclass(frozen=True)
class Answer:
    query: str
    hits: list[Hit]
    confidence: float
    threshold: float
    features: dict[str, float] = field(default_factory=dict)

    @property
    def confident(self) -> bool:
        """False -> say "saya belum yakin" and offer `titles()` as buttons."""
        return bool(self.hits) and self.confidence >= self.threshold

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def titles(self) -> list[str]:
        return [h.title for h in self.hits]


class Retriever:
    def __init__(
        self,
        index_dir: Path,
        *,
        bm25_weight: float = 0.5,
        dense_weight: float = 0.5,
        threshold: float = 0.5,
        check_interval: float = 1.0,
        dense_timeout_ms: float = 250.0,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.bm25_weight = bm25_weight
        self.dense_weight = dense_weight
        self.threshold = threshold
        self.check_interval = check_interval
        self.dense_timeout = dense_timeout_ms / 1000
        self._lock = threading.Lock()
        self._embed_slot = threading.Semaphore(1)
        self._executor: ThreadPoolExecutor | None = None
        self._loading: threading.Thread | None = None
        self._last_check = 0.0
        self._signature = self._manifest_signature()
        self._index, self._embedder = self._load()

    # -- loading -----------------------------------------------------------------------
    def _manifest_signature(self) -> tuple[int, int, int] | None:
        try:
            st = (self.index_dir / "manifest.json").stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load(self) -> tuple[LoadedIndex, Embedder | None]:
        manifest = read_manifest(self.index_dir)
        if manifest is None:
            raise FileNotFoundError(f"no index in {self.index_dir}: run `python -m citybot.retrieval build`")
        index = LoadedIndex(self.index_dir, manifest)
        backend, model = index.embedder_spec
        return index, get_embedder(backend, model)

    def reload(self) -> bool:
        """Load the index now if its manifest changed; True when a new index went live."""
        sig = self._manifest_signature()
        if sig is None or sig == self._signature:
            return False
        index, embedder = self._load()
        with self._lock:
            self._index, self._embedder, self._signature = index, embedder, sig
        log.info("retrieval index reloaded: build %s", index.manifest.get("build_id"))
        return True

    def _reload_in_background(self) -> None:
        def run() -> None:
            try:
                self.reload()
            except Exception:  # a half-finished edit must not take search down
                log.exception("retrieval index reload failed; keeping the current one")

        with self._lock:
            if self._loading is not None and self._loading.is_alive():
                return
            self._loading = threading.Thread(target=run, name="retrieval-reload", daemon=True)
            self._loading.start()

    def wait_reloaded(self, timeout: float = 30.0) -> None:
        """For tests and tools: finish a pending background reload."""
        thread = self._loading
        if thread is not None:
            thread.join(timeout)

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._last_check < self.check_interval:
            return
        self._last_check = now
        if self._manifest_signature() not in (None, self._signature):
            self._reload_in_background()

    @property
    def manifest(self) -> dict[str, object]:
        return self._index.manifest

    # -- search ------------------------------------------------------------------------
    def _deadline_embed(
        self, index: LoadedIndex, embedder: Embedder | None, query: str
    ) -> Callable[[str], np.ndarray | None] | None:
        """Start embedding the query on a worker thread (it overlaps the BM25 scoring: the C
        engine releases the GIL) and hand `rank` a getter that waits at most the time left.
        If the model is still busy with an earlier query, or the deadline passes, the answer
        is lexical only: a search never waits on the model longer than `dense_timeout`."""
        if embedder is None or index.faiss is None or self.dense_weight <= 0:
            return None
        if not self._embed_slot.acquire(blocking=False):
            return lambda _text: None
        started = time.monotonic()
        text = index.dense_text(query)

        def work() -> np.ndarray:
            try:
                return embedder.embed_query(text)
            finally:
                self._embed_slot.release()

        future = self._pool().submit(work)

        def result(_text: str) -> np.ndarray | None:
            try:
                return future.result(timeout=max(self.dense_timeout - (time.monotonic() - started), 0))
            except FutureTimeout:
                log.warning("query embedding exceeded %.0f ms; answering from BM25 only", self.dense_timeout * 1000)
                return None

        return result

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
            return self._executor

    def search(self, query: str, k: int = 3) -> Answer:
        self._maybe_reload()
        index, embedder = self._index, self._embedder
        query = (query or "").strip()
        if not query:
            return Answer(query, [], 0.0, self.threshold)
        ranking = index.rank(
            query, self._deadline_embed(index, embedder, query), self.bm25_weight, self.dense_weight, k=k
        )
        hits = []
        for h in ranking.hits:
            p = index.passages[h.passage]
            hits.append(
                Hit(
                    p.doc_id,
                    p.title,
                    p.heading,
                    p.text,
                    p.category,
                    round(h.score, 4),
                    p.pid,
                    p.updated,
                    tuple(p.sources),
                    p.reviewed,
                    p.scope,
                )
            )
        conf = confidence(ranking.features, index.manifest["calibration"]) if hits else 0.0
        return Answer(query, hits, round(conf, 4), self.threshold, ranking.features)


@lru_cache(maxsize=1)
def get_retriever() -> Retriever:
    """The process-wide retriever; builds the index from the knowledge dir if there is none."""
    from citybot.settings import get_settings

    s = get_settings()
    if read_manifest(Path(s.index_dir)) is None:
        build_index(
            Path(s.knowledge_dir),
            Path(s.index_dir),
            s.embedding_backend,
            s.embedding_model,
            progress=False,
            cache_dir=Path(s.retrieval_cache_dir),
            bm25_weight=s.retrieval_bm25_weight,
            dense_weight=s.retrieval_dense_weight,
            overlay=s.city_knowledge_dir,
            profile=s.city_profile,
        )
    return Retriever(
        Path(s.index_dir),
        bm25_weight=s.retrieval_bm25_weight,
        dense_weight=s.retrieval_dense_weight,
        threshold=s.retrieval_confidence_threshold,
        dense_timeout_ms=s.retrieval_dense_timeout_ms,
    )
