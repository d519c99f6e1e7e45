"""Conversation benchmark (issue 19): scripted multi-turn citizens against the real stack.

    .venv/bin/python bench/conversations.py                      # starts a fresh stack in a temp dir
    .venv/bin/python bench/conversations.py --show               # also print every transcript (terminal)
    .venv/bin/python bench/conversations.py --only min-jalan,hc-pesan
    .venv/bin/python bench/conversations.py --gateway http://127.0.0.1:8080 [--backend http://127.0.0.1:8000]

Each conversation is a citizen with a goal and the facts a real one would know (the problem, the
place, a name and phone or "anonim", the patient's details...), written in one persona's style
("min" casual, Betawi, formal letter, typo-heavy, elderly, Javanese, ojol driver, whistle-blower,
panicking mother, Makassar dialect, button presser). The texts are ours, not the walkthrough's.
The driver is adaptive: after every turn it reads the assistant's reply (texts and buttons),
works out what is being asked (`last_kind`: the cue that comes last in the reply) and answers
it from the citizen's facts, pressing the button (payload) when the persona presses buttons and
typing otherwise. Scripted asides interrupt at a given question (an emergency mid-form, "ga jadi
deh", "oknumnya ga bakal tau kan?"); an agenda holds what the citizen says on their own
initiative once nothing is asked. A conversation gives up after `2.5 x minimum + 3` turns.

Completed = every milestone of the goal reached in the replies (ticket number, booking code,
emergency number, answer words, products under the price...) AND the real system agrees: the
complaint filed once with the right category (backend, by the reporter address the gateway
derives from the sender), the booking made or cancelled and the data deleted (backend
data-rights export), the human handoff queued (agent console queue). With --gateway the backend
checks need --backend and the running instance's BACKEND_API_KEY and SENDER_ID_KEY in the
environment; without them only the replies are checked (the table says so).

Minimum turns are our judgment of what a competent assistant needs given what the citizen says
(each script states it with a one-line reason). A turn is one citizen message (typed, button or
location); a "please slow down" from the gateway is waited out and not counted. Friction = the
first turn whose reply did not move the goal forward: a question about something already said,
the same question again, a clarifying or "out of scope" reply, a flow that does not belong to the
goal (e.g. the complaint form for a question), or a reply the driver could not read.

The fresh stack raises the gateway's per-sender rate limit (the driver answers faster than a
person types); with --gateway, turns are paced (--pace seconds, default 3.1) instead.
Results: a markdown table on stdout, var/results/conversations.json (per-turn kinds, no reply
texts), transcripts with --show.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import MODEL, machine, md_table, stack_or_gateway, stale_model_warning  # noqa: E402
from bench.conversation_checks import Checker  # noqa: E402
from bench.conversation_driver import Result, drive, web_sender  # noqa: E402
from bench.conversation_goals import Conversation  # noqa: E402
from bench.conversation_replies import T  # noqa: E402
from bench.conversation_scripts import CONVERSATIONS  # noqa: E402

RESULTS = ROOT / "var" / "results" / "conversations.json"
GOAL_MEAN_RATIO = 1.3


# ---------------------------------------------------------------------------------------------
# Running, tables, results
# ---------------------------------------------------------------------------------------------


def chains(convs: Sequence[Conversation]) -> list[list[Conversation]]:
    """Conversations grouped by chat: one that `continues` another runs after it, on its sender."""
    by_id = {c.id: c for c in convs}
    groups: dict[str, list[Conversation]] = {}
    for conv in convs:
        root = conv
        while root.continues and root.continues in by_id:
            root = by_id[root.continues]
        groups.setdefault(root.id, []).append(conv)
    return list(groups.values())


def select(only: str | None) -> list[Conversation]:
    if not only:
        return list(CONVERSATIONS)
    wanted = {w.strip() for w in only.split(",") if w.strip()}
    by_id = {c.id: c for c in CONVERSATIONS}
    unknown = wanted - set(by_id)
    if unknown:
        raise SystemExit(f"unknown conversation ids: {', '.join(sorted(unknown))}; known: {', '.join(by_id)}")
    # a continuation needs the conversation it continues
    for conv_id in list(wanted):
        conv = by_id[conv_id]
        while conv.continues:
            wanted.add(conv.continues)
            conv = by_id[conv.continues]
    return [c for c in CONVERSATIONS if c.id in wanted]


def run_chain(group: Sequence[Conversation], base: str, checker: Checker, pace: float) -> list[Result]:
    client = f"bench-conv-{uuid.uuid4().hex[:12]}"
    send = web_sender(base, client, pace)
    chain: dict[str, Any] = {}
    results = []
    for conv in group:
        result = drive(conv, send, chain)
        if result.error is None:
            try:
                result.verified, result.check_note = checker.check(conv, client, chain)
            except Exception as exc:  # a failed check is a failed conversation, with the reason
                result.verified, result.check_note = False, f"check failed: {type(exc).__name__}: {exc}"[:160]
        results.append(result)
        print(
            f"  {conv.id}: {'completed' if result.completed else 'NOT completed'} in {result.used} turns "
            f"({result.seconds:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    return results


def yes_no(result: Result) -> str:
    if result.error:
        return "error"
    if not result.completed:
        return "**no**"
    return "yes" if result.verified else "yes (reply only)"


def table(results: Sequence[Result]) -> str:
    rows = [
        (r.id, r.persona, r.goal, yes_no(r), r.used, r.minimum, f"{r.ratio:.2f}", r.friction or "none") for r in results
    ]
    return md_table(
        ("conversation", "persona", "goal", "completed", "turns", "minimum", "ratio", "first friction"),
        rows,
        right=(4, 5, 6),
    )


def totals(results: Sequence[Result]) -> dict[str, Any]:
    n = len(results)
    done = sum(r.completed for r in results)
    ratios = [r.ratio for r in results]
    mean = sum(ratios) / n if n else math.nan
    return {
        "conversations": n,
        "completed": done,
        "completion_rate": round(done / n, 3) if n else None,
        "turns": sum(r.used for r in results),
        "minimum": sum(r.minimum for r in results),
        "mean_ratio": round(mean, 3),
        "total_ratio": round(sum(r.used for r in results) / max(1, sum(r.minimum for r in results)), 3),
        "with_friction": sum(bool(r.friction) for r in results),
        "goal_met": done == n and mean <= GOAL_MEAN_RATIO,
    }


def show(results: Sequence[Result]) -> None:
    for r in results:
        print(f"\n### {r.id} ({r.persona}): {r.goal}")
        print(f"minimum {r.minimum}: {r.reason}")
        for t in r.turns:
            print(f">> {t.move}")
            for line in t.reply.splitlines():
                print(f"<< {line}" if line.strip() else "<<")
            if t.buttons:
                print("<< [" + " | ".join(t.buttons) + "]")
            print(f"   kinds: {', '.join(t.kinds) or '-'}" + (f"   FRICTION: {t.note}" if t.note else ""))
        print(
            f"= reached: {', '.join(r.reached) or '-'}; missed: {', '.join(r.missed) or '-'}; "
            f"check: {r.check_note or '-'}" + (f"; error: {r.error}" if r.error else "")
        )


def record_of(r: Result) -> dict[str, Any]:
    return {
        "id": r.id,
        "persona": r.persona,
        "goal": r.goal,
        "completed": r.completed,
        "turns": r.used,
        "minimum": r.minimum,
        "minimum_reason": r.reason,
        "ratio": round(r.ratio, 3),
        "first_friction": r.friction or None,
        "frictions": [f"t{t.n}: {t.note}" for t in r.turns if t.note],
        "milestones_reached": r.reached,
        "milestones_missed": r.missed,
        "replies_ok": r.replies_ok,
        "verified": r.verified,
        "check": r.check_note,
        "error": r.error,
        "seconds": round(r.seconds, 1),
        "turn_log": [{"move": t.move, "kinds": t.kinds} for t in r.turns],
    }


def checker_for(url: str, stack: Any, backend: str | None) -> Checker:
    if stack is not None:
        return Checker(
            stack.backend_url,
            stack.env["BACKEND_API_KEY"],
            stack.env["SENDER_ID_KEY"],
            url,
            stack.env["AGENT_BOOTSTRAP_PASSWORD"],
        )
    # A running instance: the operator passes its backend and keys through the environment.
    return Checker(
        backend,
        os.environ.get("BACKEND_API_KEY"),
        os.environ.get("SENDER_ID_KEY"),
        url,
        os.environ.get("AGENT_BOOTSTRAP_PASSWORD"),
    )


def warm_up(url: str) -> None:
    """A throwaway question first, so loading the retrieval index is not billed to a conversation."""
    send = web_sender(url, f"bench-conv-warm-{uuid.uuid4().hex[:8]}", 0)
    for text in ("apa syarat membuat KTP elektronik?", "halo"):
        try:
            send(T(text))
        except Exception as exc:  # the conversations will show it
            print(f"warm-up failed: {exc}", file=sys.stderr)


def run(convs: Sequence[Conversation], url: str, checker: Checker, pace: float, concurrency: int) -> list[Result]:
    groups = chains(convs)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        done = list(pool.map(lambda g: run_chain(g, url, checker, pace), groups))
    by_id = {r.id: r for group in done for r in group}
    return [by_id[c.id] for c in convs]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gateway", help="URL of a running gateway (default: start a fresh stack in a temp dir)")
    parser.add_argument(
        "--backend",
        help="with --gateway: the backend URL for the real-system checks "
        "(keys from BACKEND_API_KEY and SENDER_ID_KEY in the environment)",
    )
    parser.add_argument("--only", help="comma-separated conversation ids (continued chats are added)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="chats played at once (default 1: no reply is slowed by another chat)",
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=None,
        help="seconds between two messages of one chat (default 0 fresh stack, 3.1 with --gateway)",
    )
    parser.add_argument("--show", action="store_true", help="print every transcript (terminal)")
    parser.add_argument("--list", action="store_true", help="list the conversations and their minimums")
    args = parser.parse_args(list(argv) if argv is not None else None)

    convs = select(args.only)
    if args.list:
        print(
            md_table(
                ("conversation", "persona", "goal", "minimum", "why"),
                [(c.id, c.persona, c.goal, c.minimum, c.reason) for c in convs],
                right=(3,),
            )
        )
        return 0
    started = time.perf_counter()
    print(f"# Conversations: {len(convs)} scripted citizens\n")
    warning = stale_model_warning(MODEL)
    if warning:
        print(warning + "\n")
    pace = args.pace if args.pace is not None else (3.1 if args.gateway else 0.0)
    # A fresh stack per city profile (a given gateway plays them all): HomeCare is booked in
    # Makassar, the catalogue searched in Banyuwangi, the rest in the default city.
    cities = [None] if args.gateway else list(dict.fromkeys(c.city for c in convs))
    results, ready, run_seconds = [], 0.0, 0.0
    for city in cities:
        group = [c for c in convs if city is None or c.city == city]
        extra_env = {"GATEWAY_RATE_LIMIT_PER_MINUTE": "600", **({"CITY_PROFILE": city} if city else {})}
        stack_started = time.perf_counter()
        with stack_or_gateway(args.gateway, f"conversations-{city or 'given'}-", extra_env) as (url, stack):
            ready += time.perf_counter() - stack_started
            print(f"gateway {url} ({city or 'as given'}) ready after {ready:.0f} s", file=sys.stderr)
            checker = checker_for(url, stack, args.backend)
            warm_up(url)
            run_start = time.perf_counter()
            results += run(group, url, checker, pace, args.concurrency)
            run_seconds += time.perf_counter() - run_start
    order = {c.id: i for i, c in enumerate(convs)}
    results.sort(key=lambda r: order.get(r.id, len(order)))
    print(table(results))
    summary = totals(results)
    print(
        f"\n**Totals**: {summary['completed']}/{summary['conversations']} completed "
        f"({summary['completion_rate']:.0%}); mean turns/minimum {summary['mean_ratio']:.2f} "
        f"(all turns {summary['turns']} / all minimums {summary['minimum']} = {summary['total_ratio']:.2f}); "
        f"{summary['with_friction']} with friction. Goal (all completed, mean ratio <= {GOAL_MEAN_RATIO}): "
        f"{'met' if summary['goal_met'] else 'not met'}."
    )
    unchecked = [r.id for r in results if r.verified is None and r.error is None]
    if unchecked:
        print(f"- checked on the replies only: {', '.join(unchecked)}")
    for r in results:
        if r.error:
            print(f"- {r.id}: error {r.error}")
        elif not r.completed:
            print(
                f"- {r.id}: missed {', '.join(r.missed) or 'nothing'}; reached {', '.join(r.reached) or 'nothing'}"
                f"; check: {r.check_note or '-'}"
            )
    total_seconds = time.perf_counter() - started
    print(
        f"- {len(convs)} conversations in {run_seconds:.0f} s (stack ready in {ready:.0f} s, "
        f"{total_seconds:.0f} s in all)"
    )
    if args.show:
        show(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stamp = MODEL.with_suffix("").with_suffix(".hash")
    RESULTS.write_text(
        json.dumps(
            {
                "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "gateway": args.gateway or "fresh stack",
                "model_hash": stamp.read_text().strip() if stamp.exists() else None,
                "stale_model": bool(warning),
                "machine": machine(),
                "seconds": {"ready": round(ready, 1), "run": round(run_seconds, 1), "total": round(total_seconds, 1)},
                "totals": summary,
                "conversations": [record_of(r) for r in results],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"- results in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
