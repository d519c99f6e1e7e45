"""Answer confidence: a logistic model over score-shape features, fitted on the checks set.

Positives are checks whose first document is right; negatives are checks answered wrongly and
the out-of-scope questions in checks.yml. The fitted coefficients live in the manifest, so the
number a citizen's answer gets is tied to the index that produced it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .documents import Check
    from .embedders import Embedder
    from .index import LoadedIndex


def confidence(features: Mapping[str, float], calibration: Mapping[str, Any]) -> float:
    z = float(calibration["intercept"])
    names = calibration["features"]
    means = calibration.get("mean") or [0.0] * len(names)
    scales = calibration.get("scale") or [1.0] * len(names)
    for name, coef, mean, scale in zip(names, calibration["coef"], means, scales, strict=True):
        z += float(coef) * (float(features.get(name, 0.0)) - float(mean)) / float(scale)
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


@dataclass
class Evaluation:
    total: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    misses: list[dict[str, Any]] = field(default_factory=list)
    rows: list[tuple[dict[str, float], int]] = field(default_factory=list)  # (features, label)

    def summary(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "recall@1": round(self.recall_at_1, 4),
            "recall@3": round(self.recall_at_3, 4),
            "mrr": round(self.mrr, 4),
        }


def evaluate(
    index: LoadedIndex,
    checks: Sequence[Check],
    embedder: Embedder | None,
    bm25_weight: float,
    dense_weight: float,
    k: int = 10,
) -> Evaluation:
    """Document-level Recall@1/@3 and MRR (within the first k) over the in-scope checks."""
    r1 = r3 = 0
    rr = 0.0
    total = 0
    misses: list[dict[str, Any]] = []
    rows: list[tuple[dict[str, float], int]] = []
    for check in checks:
        ranking = index.rank(check.query, embedder, bm25_weight, dense_weight, k=k)
        ranked = [h.doc_id for h in ranking.hits]
        if check.doc_id is None:
            rows.append((ranking.features, 0))
            continue
        total += 1
        rank = ranked.index(check.doc_id) + 1 if check.doc_id in ranked else 0
        r1 += rank == 1
        r3 += 0 < rank <= 3
        rr += 1.0 / rank if rank else 0.0
        rows.append((ranking.features, int(rank == 1)))
        if rank != 1:
            misses.append(
                {"query": check.query, "expected": check.doc_id, "rank": rank, "got": ranked[:3], "line": check.line}
            )
    n = max(total, 1)
    return Evaluation(total, r1 / n, r3 / n, rr / n, misses, rows)


def fit_calibration(
    index: LoadedIndex, checks: Sequence[Check], embedder: Embedder | None, bm25_weight: float, dense_weight: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    from sklearn.linear_model import LogisticRegression

    from .index import DEFAULT_CALIBRATION

    ev = evaluate(index, checks, embedder, bm25_weight, dense_weight)
    names = list(DEFAULT_CALIBRATION["features"])
    labels = [y for _, y in ev.rows]
    summary = ev.summary() | {"misses": len(ev.misses), "weights": [bm25_weight, dense_weight]}
    if len(set(labels)) < 2:
        return dict(DEFAULT_CALIBRATION), summary
    x = np.array([[f.get(name, 0.0) for name in names] for f, _ in ev.rows], dtype=np.float64)
    # Standardised features, so one regularisation strength suits features of any range.
    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit((x - mean) / scale, labels)
    calibration = {
        "features": names,
        "coef": [round(float(c), 5) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 5),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "fitted": True,
        "samples": len(labels),
        "positives": int(sum(labels)),
    }
    return calibration, summary
