"""Real-message benchmark (issue 18): real citizens' first messages through the real stack.

    .venv/bin/python bench/real_messages.py --split dev                 # starts a fresh stack in a temp dir
    .venv/bin/python bench/real_messages.py --split held_out --gateway http://127.0.0.1:8080   # a running `make run`
    .venv/bin/python bench/real_messages.py --split dev --show-misses   # also print the misses (terminal only)

Each message of a YAML list of `{id, text, label}` (default `../shared/real_dev/messages.yml`,
labels: complaint_new, emergency, permit_question, health_question, transport_question,
out_of_scope) is sent as the FIRST message of a fresh web conversation (a new random sender per
message) through the gateway's web API (`tests.stack.say`). What the assistant did is read from
its replies: every reply is matched against the response variants of `bot/domain/*.yml` (and of
the trained model's domain), with `{placeholders}` as wildcards, which gives the response keys of
the turn; OUTCOME_BY_KEY / OUTCOME_BY_PREFIX in bench/real_outcomes.py map keys to outcomes (complaint form,
knowledge answer, emergency guidance, clarifying question, refusal, data-rights flow, ...).
A reply that matches no response, or a key that has no outcome, makes the turn `other`, and the
count is printed: fix the tables, do not hide it.

Fit (FIT in bench/real_outcomes.py): complaint_new -> complaint form; emergency -> emergency guidance (nothing else
counts, not even half); permit/health/transport question -> knowledge answer or an honest "I do
not have that" naming the official channel; out_of_scope -> polite refusal (or that honest
"ask X instead"); a clarifying question counts half; emergency guidance for a message that is
not an emergency counts zero.

NLU-only figures on the same messages: `bench/nlu_parse.py` runs in `.venv-rasa` with the trained
model; intents are mapped to labels by INTENT_LABEL (bench/real_nlu.py), question intents by the category of the top
knowledge hit.

Texts never leave this process except to the stack, the NLU subprocess (through a temp dir)
and, with --show-misses / --show-all, the terminal: var/results/real_messages.json holds ids,
labels, outcomes and response keys only (the sources' licences do not allow copying texts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import machine, percentile, stack_or_gateway, stale_model_warning  # noqa: E402
from bench.real_data import Message, load_disagreements, load_messages, select_split  # noqa: E402
from bench.real_nlu import RASA_PYTHON, nlu_labels, nlu_parse  # noqa: E402
from bench.real_outcomes import fit, outcome_of_key  # noqa: E402
from bench.real_replies import MODEL, ReplyClassifier, default_responses, normalise  # noqa: E402
from bench.real_scores import (  # noqa: E402
    Row,
    fit_summary,
    fit_tables,
    knowledge_categories,
    nlu_summary,
    nlu_tables,
    off_topic_answers,
)
from citybot.settings import get_settings  # noqa: E402

DEFAULT_MESSAGES = ROOT.parent / "shared" / "real_dev" / "messages.yml"
DEFAULT_SPLIT_FILE = ROOT / "bench" / "real_split.yml"
DEFAULT_DISAGREEMENTS = ROOT / "bench" / "real_label_disagreements.yml"
RESULTS = ROOT / "var" / "results" / "real_messages.json"


# ---------------------------------------------------------------------------------------------
# Driving the stack
# ---------------------------------------------------------------------------------------------
@dataclass
class Turn:
    id: str
    replies: list[dict[str, Any]] | None
    error: str | None
    seconds: float


@contextmanager
def gateway_url(given: str | None) -> Iterator[str]:
    """The given gateway, or a fresh stack (backend, actions, Rasa, gateway) in a temp dir."""
    with stack_or_gateway(given, "real-messages-") as (url, _stack):
        yield url


def send(url: str, message: Message, timeout: float) -> Turn:
    from tests.stack import say

    start = time.perf_counter()
    sender = f"bench-real-{uuid.uuid4().hex}"
    try:
        replies = say(url, sender, message.text, timeout=timeout)
        return Turn(message.id, replies, None, time.perf_counter() - start)
    except Exception as exc:  # any failure is one `error` turn; the run goes on
        # Only the kind of failure and the HTTP status: an error body could echo the message text.
        reason = str(exc).split(":", 1)[0][:40]
        return Turn(message.id, None, f"{type(exc).__name__}: {reason}", time.perf_counter() - start)


def warm_up(url: str, classifier: ReplyClassifier, timeout: float) -> list[str]:
    """Our own messages first, so a cold retrieval index or model is not billed to real ones."""
    done = []
    for text in ("apa syarat membuat KTP elektronik?", "mau lapor jalan rusak", "halo"):
        for _attempt in range(3):
            turn = send(url, Message("warm-up", text, "out_of_scope"), timeout)
            outcome = classifier.classify(turn.replies).outcome if turn.replies is not None else "error"
            if outcome != "error":
                break
            time.sleep(5)
        done.append(f"{text!r} -> {outcome} ({turn.seconds:.1f} s)")
    return done


def run_turns(url: str, messages: Sequence[Message], concurrency: int, timeout: float) -> dict[str, Turn]:
    turns: dict[str, Turn] = {}
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for i, turn in enumerate(pool.map(lambda m: send(url, m, timeout), messages), start=1):
            turns[turn.id] = turn
            if i % 25 == 0 or i == len(messages):
                print(f"  {i}/{len(messages)} sent", file=sys.stderr, flush=True)
    return turns


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
def abbreviate(text: str, limit: int) -> str:
    text = normalise(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show(messages: Sequence[Message], rows: Mapping[str, Row], turns: Mapping[str, Turn], misses_only: bool) -> None:
    """Terminal only: message texts are never written to a file."""
    print("\n## Replies" + (" that did not fit" if misses_only else "") + " (terminal only)\n")
    for message in messages:
        row = rows[message.id]
        score = fit(message.label, row.outcome)
        if misses_only and score >= 1.0:
            continue
        print(f"{message.id} [{message.label} -> {row.outcome}, fit {score:g}] {' '.join(row.keys)}")
        print(f"  > {abbreviate(message.text, 300)}")
        turn = turns[message.id]
        for reply in turn.replies or []:
            buttons = " ".join(f"[{b.get('title')}]" for b in reply.get("buttons") or [])
            print(f"  < {abbreviate(str(reply.get('text') or ''), 160)} {buttons}".rstrip())
        if turn.error:
            print(f"  ! {turn.error}")


def write_results(split: str, record: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    existing: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            existing = json.loads(RESULTS.read_text(encoding="utf-8"))
        except ValueError:
            existing = {}
    previous = existing.get("runs")
    runs: dict[str, Any] = previous if isinstance(previous, dict) else {}
    runs[split] = record
    RESULTS.write_text(json.dumps({"runs": runs}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=Path, default=DEFAULT_MESSAGES)
    parser.add_argument("--split", choices=("all", "dev", "held_out"), default="all")
    parser.add_argument("--split-file", type=Path, default=DEFAULT_SPLIT_FILE)
    parser.add_argument(
        "--disagreements",
        type=Path,
        default=DEFAULT_DISAGREEMENTS,
        help="id -> our label where we disagree with the annotator (a second table)",
    )
    parser.add_argument("--gateway", help="URL of a running gateway (default: start a fresh stack in a temp dir)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per message")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--index-dir", type=Path, default=None, help="default: the active city's index (make index)")
    parser.add_argument("--no-stack", action="store_true", help="NLU figures only")
    parser.add_argument("--no-nlu", action="store_true", help="stack figures only")
    parser.add_argument("--show-misses", action="store_true", help="print the messages that did not fit (terminal)")
    parser.add_argument("--show-all", action="store_true", help="print every message and reply (terminal)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N messages (a smoke test)")
    args = parser.parse_args(argv)

    messages = select_split(load_messages(args.messages), args.split, args.split_file)
    if args.limit:
        messages = messages[: args.limit]
    disagreements = load_disagreements(args.disagreements)
    gold = {m.id: m.label for m in messages}
    ours = {**gold, **{k: v for k, v in (disagreements or {}).items() if k in gold}}
    ids = [m.id for m in messages]
    started = time.perf_counter()
    print(f"# Real messages: {args.messages.name}, split {args.split}, {len(messages)} messages\n")
    record: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "messages_file": str(args.messages),
        "split": args.split,
        "n": len(messages),
        "model_hash": args.model.with_suffix("").with_suffix(".hash").read_text().strip()
        if args.model.with_suffix("").with_suffix(".hash").exists()
        else None,
        "machine": machine(),
        "disagreements": len(ours) - sum(ours[i] == gold[i] for i in ids),
    }

    warning = stale_model_warning(args.model)
    if warning:
        print(warning + "\n")
    record["stale_model"] = bool(warning)

    if not args.no_stack:
        classifier = ReplyClassifier(default_responses(args.model))
        stack_start = time.perf_counter()
        with gateway_url(args.gateway) as url:
            ready = time.perf_counter() - stack_start
            print(f"gateway {url} ready after {ready:.0f} s; warm-up:", file=sys.stderr)
            for line in warm_up(url, classifier, args.timeout):
                print(f"  {line}", file=sys.stderr)
            run_start = time.perf_counter()
            turns = run_turns(url, messages, args.concurrency, args.timeout)
            run_seconds = time.perf_counter() - run_start
            stop_start = time.perf_counter()
        print(f"stack stopped in {time.perf_counter() - stop_start:.0f} s", file=sys.stderr)
        rows: dict[str, Row] = {}
        for message in messages:
            turn = turns[message.id]
            if turn.replies is None:
                rows[message.id] = Row(message.id, message.label, "error", [], None, turn.seconds, turn.error)
                continue
            found = classifier.classify(turn.replies)
            rows[message.id] = Row(message.id, message.label, found.outcome, found.keys, found.source, turn.seconds)
        ordered = [rows[i] for i in ids]
        summary = fit_summary(ordered, gold)
        latencies = [r.seconds for r in ordered]
        print("## Fitting first reply (labels as annotated)\n")
        print(fit_tables(summary))
        off = off_topic_answers(ordered, gold, knowledge_categories())
        if off:
            print(
                "- knowledge answers from another topic's document (counted as fitting): "
                + ", ".join(f"{n} {label}" for label, n in off.items())
            )
        unmapped = Counter(k for r in ordered for k in r.keys if k != "?" and outcome_of_key(k) is None)
        unmatched = sum(k == "?" for r in ordered for k in r.keys)
        print(
            f"- replies matching no response: {unmatched}; response keys with no outcome: "
            + (", ".join(f"{k} ({n})" for k, n in unmapped.items()) or "none")
        )
        print(
            f"- {len(messages)} messages in {run_seconds:.0f} s at concurrency {args.concurrency}; reply p50 "
            f"{percentile(latencies, 50):.1f} s, p95 {percentile(latencies, 95):.1f} s; stack ready in {ready:.0f} s"
        )
        record["stack"] = {
            "gateway": args.gateway or "fresh stack",
            "ready_seconds": round(ready, 1),
            "run_seconds": round(run_seconds, 1),
            "concurrency": args.concurrency,
            "p50_seconds": round(percentile(latencies, 50), 2),
            "p95_seconds": round(percentile(latencies, 95), 2),
        }
        record["fit"] = summary
        record["off_topic_answers"] = dict(off)
        changed = sum(ours[i] != gold[i] for i in ids)
        if changed:
            print(f"\n## Fitting first reply with our labels ({changed} ids relabelled, {args.disagreements.name})\n")
            ours_summary = fit_summary(ordered, ours)
            print(fit_tables(ours_summary))
            record["fit_our_labels"] = ours_summary
        elif disagreements is not None:
            print(f"- no label disagreements recorded for these messages ({args.disagreements.name})")
        record["items"] = [
            {
                "id": r.id,
                "label": r.label,
                **({"our_label": ours[r.id]} if ours[r.id] != r.label else {}),
                "outcome": r.outcome,
                "fit": fit(r.label, r.outcome),
                "keys": r.keys,
                **({"source": r.source} if r.source else {}),
                **({"error": r.error} if r.error else {}),
                "seconds": round(r.seconds, 2),
            }
            for r in ordered
        ]
        if args.show_misses or args.show_all:
            show(messages, rows, turns, misses_only=not args.show_all)

    if not args.no_nlu:
        nlu_start = time.perf_counter()
        parsed = nlu_parse(messages, args.model, RASA_PYTHON)
        parsed_at = time.perf_counter()
        predicted = nlu_labels(messages, parsed, args.index_dir or get_settings().index_dir)
        print(
            f"NLU: model {parsed_at - nlu_start:.0f} s, knowledge categories {time.perf_counter() - parsed_at:.0f} s",
            file=sys.stderr,
        )
        intents = Counter(str(parsed[i].get("intent")) for i in ids)
        print("\n## NLU only (trained model, intents mapped to labels)\n")
        nlu = nlu_summary(ids, gold, predicted)
        print(nlu_tables(nlu, intents))
        record["nlu"] = {**nlu, "intents": dict(intents)}
        if any(ours[i] != gold[i] for i in ids):
            ours_nlu = nlu_summary(ids, ours, predicted)
            print(f"- with our labels: macro-F1 {ours_nlu['macro_f1']:.2f}, 4 classes {ours_nlu['macro_f1_4']:.2f}")
            record["nlu_our_labels"] = ours_nlu
        items = {item["id"]: item for item in record.get("items", [])}
        for i in ids:
            entry = items.setdefault(i, {"id": i, "label": gold[i]})
            entry.update(
                {
                    "nlu_intent": parsed[i].get("intent"),
                    "nlu_confidence": parsed[i].get("confidence"),
                    "nlu_label": predicted[i],
                }
            )
        record["items"] = [items[i] for i in ids]

    record["seconds"] = round(time.perf_counter() - started, 1)
    write_results(args.split, record)
    print(
        f"\n{len(messages)} messages, {record['seconds']:.0f} s in all; ids and outcomes in "
        f"{RESULTS.relative_to(ROOT)} (no texts)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
