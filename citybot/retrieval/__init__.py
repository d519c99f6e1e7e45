"""Indonesian knowledge retrieval: hybrid BM25 (Sastrawi-stemmed) + dense (FAISS) search.

    from citybot.retrieval import get_retriever
    answer = get_retriever().search("syarat bikin PBG apa aja?", k=3)
    if answer.confident: ... answer.best.text ...
    else: ... "saya belum yakin" + answer.titles() as buttons ...

Nothing heavy happens at import: the index and the embedding model load on first use.
"""

from .documents import Issue
from .index import BuildResult, KnowledgeError, build_index
from .loader import load_knowledge
from .retriever import Answer, Hit, Retriever, get_retriever

__all__ = [
    "Answer",
    "BuildResult",
    "Hit",
    "Issue",
    "KnowledgeError",
    "Retriever",
    "build_index",
    "get_retriever",
    "load_knowledge",
]
