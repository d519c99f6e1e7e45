"""Gap grouping benchmark: how well unanswered questions are grouped by topic.

    .venv/bin/python bench/gaps.py                 # sweeps; the shipped settings marked
    .venv/bin/python bench/gaps.py --show          # also print the groups at the shipped settings

On bench/data/gap_questions.yml (topics the knowledge base does not answer, several phrasings
each) it prints, for the clustering the gap report uses (citybot/retrieval/gaps.py):
- pair precision: of the question pairs put in one group, the share that are one topic;
- pair recall: of the same-topic pairs, the share put in one group;
- apart: of the different-topic pairs, the share kept in different groups;
- the number of groups (the set has one per topic);
first the best threshold for each share of the dense (e5) part, with plain e5 vectors of the
whole texts as the baseline, then the threshold sweep at the shipped weight. Texts are embedded
once, so the sweeps only re-cluster. Prints figures; it is not a pass/fail test.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citybot.retrieval.embedders import get_embedder  # noqa: E402
from citybot.retrieval.gaps import (  # noqa: E402
    DEFAULT_THRESHOLD,
    DENSE_WEIGHT,
    Grouper,
    background_questions,
    cluster,
)
from citybot.settings import get_settings  # noqa: E402

DATA = ROOT / "bench" / "data" / "gap_questions.yml"
THRESHOLDS = [round(0.5 + i * 0.025, 3) for i in range(21)]  # 0.5 .. 1.0


def load(path: Path) -> tuple[list[str], list[str]]:
    topics: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]
    texts = [t for questions in topics.values() for t in questions]
    labels = [topic for topic, questions in topics.items() for _ in questions]
    return texts, labels


def pair_scores(labels: list[str], groups: list[int]) -> tuple[float, float, float]:
    together = same = both = apart = different = 0
    for i, j in itertools.combinations(range(len(labels)), 2):
        grouped, topic = groups[i] == groups[j], labels[i] == labels[j]
        together += grouped
        same += topic
        both += grouped and topic
        different += not topic
        apart += not topic and not grouped
    precision = both / together if together else 1.0
    recall = both / same if same else 1.0
    return precision, recall, apart / different if different else 1.0


def row(labels: list[str], vectors: np.ndarray, threshold: float) -> tuple[float, float, float, float, int]:
    groups = [int(g) for g in cluster(vectors, threshold)]
    precision, recall, apart = pair_scores(labels, groups)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall, apart, len(set(groups))


def line(name: str, threshold: float, figures: tuple[float, float, float, float, int], mark: str = "") -> str:
    f1, precision, recall, apart, groups = figures
    return f"{name:>30}  {threshold:9.3f}  {precision:9.3f}  {recall:6.3f}  {f1:5.3f}  {apart:6.4f}  {groups:6d}{mark}"


HEADER = f"{'':>30}  {'threshold':>9}  {'precision':>9}  {'recall':>6}  {'F1':>5}  {'apart':>6}  {'groups':>6}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", action="store_true", help="print the groups at the shipped settings")
    args = parser.parse_args()
    settings = get_settings()
    embedder = get_embedder(settings.embedding_backend, settings.embedding_model)
    if embedder is None:
        print("EMBEDDING_BACKEND is 'none': nothing to measure", file=sys.stderr)
        return 2
    texts, labels = load(args.data)
    background = background_questions(Path(settings.knowledge_dir))
    grouper = Grouper(embedder, background=background)
    started = time.perf_counter()
    dense = grouper.embed(texts)
    grouper.background_mean()
    seconds = time.perf_counter() - started
    plain = np.vstack([embedder.embed_query(t).reshape(-1) for t in texts])
    print(
        f"{len(texts)} questions, {len(set(labels))} topics, {len(background)} background questions;"
        f" embedded with {embedder.key} in {seconds:.1f}s"
    )
    print("\nbest threshold per representation (cosine distance, average linkage)")
    print(HEADER)
    baseline = max((row(labels, plain, t / 100), t / 100) for t in range(4, 31))
    print(line("e5 of the whole text", baseline[1], baseline[0]))
    for weight in (1.0, 0.5, DENSE_WEIGHT, 0.2, 0.0):
        vectors = grouper.features(texts, dense, weight)
        best = max((row(labels, vectors, t), t) for t in THRESHOLDS)
        name = "e5 content words, centred" if weight == 1.0 else f"hybrid, dense share {weight:.2f}"
        if weight == 0.0:
            name = "TF-IDF of stemmed terms"
        print(line(name, best[1], best[0], "  <- shipped weight" if weight == DENSE_WEIGHT else ""))
    print(f"\nthreshold sweep at dense share {DENSE_WEIGHT:.2f}")
    print(HEADER)
    vectors = grouper.features(texts, dense)
    for threshold in THRESHOLDS:
        mark = "  <- shipped" if abs(threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(line("", threshold, row(labels, vectors, threshold), mark))
    # Honesty check: choose the threshold on half the topics, measure it on the other half.
    names = sorted(set(labels))
    print("\nthreshold chosen on half of the topics, measured on the other half")
    print(HEADER)
    for part in (0, 1):
        tune = {n for i, n in enumerate(names) if i % 2 == part}
        a = [i for i, lab in enumerate(labels) if lab in tune]
        b = [i for i, lab in enumerate(labels) if lab not in tune]
        va = grouper.features([texts[i] for i in a], dense[a])
        vb = grouper.features([texts[i] for i in b], dense[b])
        chosen = max((row([labels[i] for i in a], va, t), t) for t in THRESHOLDS)[1]
        held = row([labels[i] for i in b], vb, chosen)
        print(line(f"half {part + 1}: {len(tune)} tuned, {len(names) - len(tune)} held out", chosen, held))
    if args.show:
        groups = [int(g) for g in cluster(vectors, DEFAULT_THRESHOLD)]
        for label in sorted(set(groups), key=lambda g: -groups.count(g)):
            members = [i for i, g in enumerate(groups) if g == label]
            print(f"\n[{len(members)}] " + ", ".join(sorted({labels[i] for i in members})))
            for i in members:
                print(f"   {labels[i]:>18}: {texts[i]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
