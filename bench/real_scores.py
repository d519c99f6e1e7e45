"""Scores and tables of the real-message benchmark: fit per label, off-topic answers, NLU
precision and recall."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._common import md_table
from bench.real_nlu import CATEGORY_LABEL
from bench.real_outcomes import LABELS, OUTCOMES, QUESTION_LABELS, fit
from bench.real_replies import normalise

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------
# Scores and tables
# ---------------------------------------------------------------------------------------------
@dataclass
class Row:
    id: str
    label: str
    outcome: str
    keys: list[str]
    source: str | None
    seconds: float
    error: str | None = None


def fit_summary(rows: Sequence[Row], labels_of: Mapping[str, str]) -> dict[str, Any]:
    """Per-label counts and fit, macro average, emergency recall and false alarms."""
    by_label: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_label[labels_of[row.id]].append(row)
    per_label: dict[str, Any] = {}
    for label in LABELS:
        group = by_label.get(label, [])
        if not group:
            continue
        counts = Counter(r.outcome for r in group)
        score = sum(fit(label, r.outcome) for r in group) / len(group)
        instead = Counter(r.outcome for r in group if fit(label, r.outcome) < 1.0)
        per_label[label] = {
            "n": len(group),
            "outcomes": dict(counts),
            "fit": round(score, 4),
            "instead": dict(instead.most_common()),
        }
    emergencies = by_label.get("emergency", [])
    complaints = by_label.get("complaint_new", [])
    return {
        "labels": per_label,
        "macro_fit": round(sum(v["fit"] for v in per_label.values()) / len(per_label), 4) if per_label else None,
        "micro_fit": round(sum(fit(labels_of[r.id], r.outcome) for r in rows) / len(rows), 4) if rows else None,
        "emergency_recall": round(sum(r.outcome == "emergency" for r in emergencies) / len(emergencies), 4)
        if emergencies
        else None,
        "complaints_as_emergency": round(sum(r.outcome == "emergency" for r in complaints) / len(complaints), 4)
        if complaints
        else None,
        "non_emergency_as_emergency": sum(r.outcome == "emergency" for r in rows if labels_of[r.id] != "emergency"),
        "data_rights_opened": sum(r.outcome == "data_rights" for r in rows),
        "data_rights_by_label": dict(Counter(labels_of[r.id] for r in rows if r.outcome == "data_rights")),
        "other": sum(r.outcome == "other" for r in rows),
        "errors": sum(r.outcome == "error" for r in rows),
    }


def fit_tables(summary: Mapping[str, Any]) -> str:
    per_label = summary["labels"]
    used = [o for o in OUTCOMES if any(o in v["outcomes"] for v in per_label.values())]
    counts = md_table(
        ["label", "n", *used, "fit"],
        [
            [label, v["n"], *[v["outcomes"].get(o, 0) or "" for o in used], f"{v['fit']:.2f}"]
            for label, v in per_label.items()
        ],
        right=range(1, len(used) + 3),
    )
    instead = md_table(
        ["label", "n", "fitting first reply", "what the assistant did instead"],
        [
            [label, v["n"], f"{v['fit']:.2f}", ", ".join(f"{n} {o}" for o, n in v["instead"].items()) or "-"]
            for label, v in per_label.items()
        ],
        right=(1, 2),
    )

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    by_label = ", ".join(f"{n} {label}" for label, n in summary["data_rights_by_label"].items())
    lines = [
        counts,
        "",
        instead,
        "",
        f"- macro fitting first reply: **{pct(summary['macro_fit'])}** (micro {pct(summary['micro_fit'])})",
        f"- emergency recall: **{pct(summary['emergency_recall'])}**; complaints raised as emergencies: "
        f"**{pct(summary['complaints_as_emergency'])}**; non-emergencies raised as emergencies: "
        f"{summary['non_emergency_as_emergency']}",
        f"- data-rights flows opened: **{summary['data_rights_opened']}**" + (f" ({by_label})" if by_label else ""),
        f"- `other` (reply classifier did not recognise the turn): {summary['other']}; "
        f"`error` (system busy, retrieval unavailable, HTTP failure): {summary['errors']}",
    ]
    return "\n".join(lines)


def knowledge_categories() -> dict[str, str]:
    """Knowledge title -> category, to see whether an answer came from the question's topic."""
    from citybot.retrieval import load_knowledge

    knowledge = load_knowledge(ROOT / "knowledge")
    return {normalise(p.title): p.category for p in knowledge.passages}


def off_topic_answers(rows: Sequence[Row], labels_of: Mapping[str, str], categories: Mapping[str, str]) -> Counter[str]:
    wanted = {label: category for category, label in CATEGORY_LABEL.items()}
    off: Counter[str] = Counter()
    for row in rows:
        label = labels_of[row.id]
        if row.outcome == "knowledge_answer" and label in wanted and row.source:
            if categories.get(row.source) not in (None, wanted[label]):
                off[label] += 1
    return off


def prf(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    scores: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    return scores


def merge_questions(label: str) -> str:
    return "question" if label in QUESTION_LABELS else label


def nlu_summary(ids: Sequence[str], labels_of: Mapping[str, str], predicted: Mapping[str, str]) -> dict[str, Any]:
    gold = [labels_of[i] for i in ids]
    pred = [predicted[i] for i in ids]
    present = [label for label in LABELS if label in gold or label in pred]
    six = prf(gold, pred, present)
    merged = {merge_questions(label) for label in present}
    four_labels = [label for label in ("complaint_new", "emergency", "question", "out_of_scope") if label in merged]
    four = prf([merge_questions(g) for g in gold], [merge_questions(p) for p in pred], four_labels)
    return {
        "macro_f1": round(sum(s["f1"] for s in six.values()) / len(six), 4) if six else None,
        "per_label": six,
        "macro_f1_4": round(sum(s["f1"] for s in four.values()) / len(four), 4) if four else None,
        "per_label_4": four,
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 4) if gold else None,
        "predicted_outside_labels": dict(Counter(p for p in pred if p not in LABELS)),
    }


def nlu_tables(summary: Mapping[str, Any], intents: Counter[str]) -> str:
    six = md_table(
        ["label", "support", "precision", "recall", "F1"],
        [
            [label, s["support"], f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"{s['f1']:.2f}"]
            for label, s in summary["per_label"].items()
        ],
        right=(1, 2, 3, 4),
    )
    outside = ", ".join(f"{n} {label}" for label, n in summary["predicted_outside_labels"].items()) or "none"
    return "\n".join(
        [
            six,
            "",
            f"- NLU macro-F1 (6 labels): **{summary['macro_f1']:.2f}**; 4 classes (questions merged): "
            f"**{summary['macro_f1_4']:.2f}**; accuracy {summary['accuracy']:.2f}",
            f"- predicted outside the labels: {outside}",
            "- intents predicted: " + ", ".join(f"{name} {n}" for name, n in intents.most_common()),
        ]
    )
