"""Shared fixtures: the real knowledge index is built once per session.

Embeddings are cached by passage hash under settings.retrieval_cache_dir, so only the first run on a
machine pays for embedding the whole knowledge base (about two minutes on 2 cores).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from citybot.retrieval.index import BuildResult, build_index
from citybot.settings import ROOT, get_settings

KNOWLEDGE = ROOT / "knowledge"
CACHE = get_settings().retrieval_cache_dir


@pytest.fixture(scope="session")
def embedder_spec() -> tuple[str, str]:
    s = get_settings()
    return s.embedding_backend, s.embedding_model


@pytest.fixture(scope="session")
def knowledge_index(
    tmp_path_factory: pytest.TempPathFactory, embedder_spec: tuple[str, str]
) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("index")
    s = get_settings()
    result = build_index(
        KNOWLEDGE,
        out,
        *embedder_spec,
        progress=False,
        cache_dir=CACHE,
        bm25_weight=s.retrieval_bm25_weight,
        dense_weight=s.retrieval_dense_weight,
    )
    return out, result


DEFAULT_FRONT = "sources: [https://www.example.go.id/layanan]\nreviewed: 2026-11-01\n"


def write_doc(
    root: Path, doc_id: str, category: str, title: str, body: str, keywords: str = "[]", front: str = DEFAULT_FRONT
) -> Path:
    """Write one knowledge document the way an editor would (`front`: the lines after keywords)."""
    path = root / category / f"{doc_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nid: {doc_id}\ntitle: {title}\ncategory: {category}\nkeywords: {keywords}\n"
        f"{front}---\n# {title}\n" + textwrap.dedent(body).strip() + "\n",
        encoding="utf-8",
    )
    return path
