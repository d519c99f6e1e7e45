"""Load benchmark: how many citizens one machine holds, next to Rasa's own starter assistant.

    .venv/bin/python bench/load.py                 # single + starter bot + cluster, 1/10/50 conversations
    .venv/bin/python bench/load.py --quick         # shorter runs (a smoke test of the benchmark)
    .venv/bin/python bench/load.py --profile       # also py-spy the hot path at 10 conversations

Simulated citizens hold mixed conversations (greeting, knowledge questions, the complaint form,
status, HomeCare booking, product search) through the gateway's web API. Each conversation sends
its next message as soon as the previous reply arrives (plus `--think-ms`), so N conversations
keep N requests in flight. The same pacing drives Rasa's starter assistant (`rasa init`, trained
once and cached) over its REST webhook: that is the framework's floor on this machine.

Prints one table (and writes var/results/load.json): p50/p95/p99 reply latency, messages per
second, errors, resident memory of every process. Not a pass/fail test; the targets of issue 8
are printed next to the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import machine  # noqa: E402
from bench.load_drive import JOURNEYS, STARTER, LevelResult, gateway_sender, rasa_sender, run_level  # noqa: E402
from bench.load_systems import (  # noqa: E402
    cross_server_conversations,
    lock_errors,
    our_stack,
    stack_pids,
    starter_bot,
)
from tests.services import postgres_admin_url  # noqa: E402
from tests.stack import Stack  # noqa: E402

# --- profiling ---------------------------------------------------------------------------------


def profile_during(pids: dict[str, int], seconds: float, out_dir: Path) -> dict[str, subprocess.Popen[bytes]]:
    spy = shutil.which("py-spy", path=str(ROOT / ".venv" / "bin")) or shutil.which("py-spy")
    if spy is None:
        print("py-spy not installed (pip install 'py-spy>=0.3,<1'); no profile", flush=True)
        return {}
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        name: subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(int(seconds)),
                "--rate",
                "50",
                "--format",
                "raw",
                "--output",
                str(out_dir / f"{name}.txt"),
                "--nonblocking",
                "--subprocesses",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    }


def summarise_profile(path: Path, top: int = 8) -> list[tuple[str, float]]:
    """Where the CPU goes: share of samples per innermost function (self time), then the share
    of samples passing through each of our own functions (citybot/, actions/)."""
    leaf: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        n = int(count)
        samples += n
        frames = stack.split(";")
        leaf["self: " + frames[-1][:100]] += n
        for frame in {f for f in frames if "citybot/" in f or "actions/" in f}:
            ours["in: " + frame[:100]] += n
    if not samples:
        return []
    picked = leaf.most_common(top) + ours.most_common(top // 2)
    return [(frame, n / samples * 100) for frame, n in picked]


# --- report ------------------------------------------------------------------------------------


# What an operator's dashboard shows first: traffic, understanding, backlog, answer quality.
METRIC_EXCERPT = re.compile(
    r"^citybot_(messages_total|intents_total|fallbacks_total|emergencies_total|delivery_failures_total"
    r"|queue_depth|queue_oldest_age_seconds|retrieval_confidence_(count|sum)"
    r"|http_request_duration_seconds_(count|sum))\b"
)


def metrics_excerpt(stack: Stack, limit: int = 12) -> list[str]:
    """A few lines of each process's /metrics after the load (the stack's callers are local)."""
    urls = {
        "gateway": stack.gateway_url,
        "backend": stack.backend_url,
        "actions": f"http://127.0.0.1:{stack.env['ACTION_SERVER_PORT']}",
    }
    lines: list[str] = []
    for name, url in urls.items():
        try:
            text = httpx.get(f"{url}/metrics", timeout=10).text
        except httpx.HTTPError as exc:
            lines.append(f"{name}: /metrics not reachable ({type(exc).__name__})")
            continue
        picked = [line for line in text.splitlines() if METRIC_EXCERPT.match(line)]
        # Busiest series first, so the excerpt shows what the load did.
        picked.sort(key=lambda line: -float(line.rsplit(" ", 1)[1]) if line.rsplit(" ", 1)[1][0].isdigit() else 0)
        lines += [f"{name}: {line}" for line in picked[:limit]]
    return lines


def table(results: list[LevelResult]) -> str:
    lines = [
        "| system | conv. | msgs | errors | p50 ms | p95 ms | p99 ms | msg/s | RSS total MB | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.system} | {r.concurrency} | {r.messages} | {r.errors} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | "
            f"{r.p99_ms:.0f} | {r.per_second:.1f} | {sum(r.rss_mb.values()):.0f} | {r.load_avg:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,10,50", help="concurrent conversations, comma-separated")
    parser.add_argument("--seconds", type=float, default=40.0, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds before each level")
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause between a reply and the next message")
    parser.add_argument("--quick", action="store_true", help="10 s per level, levels 1 and 10")
    parser.add_argument("--no-starter", action="store_true")
    parser.add_argument("--no-cluster", action="store_true")
    parser.add_argument("--profile", action="store_true", help="py-spy every process at 10 conversations")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "results" / "load.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.levels, args.seconds, args.warmup = "1,10", 10.0, 2.0
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    journeys = list(JOURNEYS.values())
    results: list[LevelResult] = []
    notes: dict[str, Any] = {"machine": machine(), "think_ms": args.think_ms, "seconds_per_level": args.seconds}
    print("Machine: " + ", ".join(f"{k} {v}" for k, v in notes["machine"].items()), flush=True)
    work = Path(tempfile.mkdtemp(prefix="asisten-load-"))

    print("\nAsisten Kota, single machine (SQLite, one Rasa server):", flush=True)
    with our_stack(work / "single", cluster=False) as stack:
        pids = stack_pids(stack)
        for level in levels:
            spies = {}
            if args.profile and level == 10:
                spies = profile_during(pids, args.seconds + args.warmup, work / "profile")
            results.append(
                run_level(
                    "asisten-kota single",
                    gateway_sender(stack.gateway_url),
                    journeys,
                    level,
                    args.seconds,
                    args.warmup,
                    args.think_ms,
                    pids,
                )
            )
            for spy in spies.values():
                spy.wait(timeout=120)
        notes["single_log_dir"] = str(stack.var_dir / "logs")
        notes["metrics_excerpt"] = metrics_excerpt(stack)
        print("\nWhat /metrics shows after the load (busiest series of each process):")
        for line in notes["metrics_excerpt"]:
            print(f"  {line}")
    if args.profile:
        notes["profile"] = {}
        for name in ("gateway", "rasa", "actions", "backend"):
            path = work / "profile" / f"{name}.txt"
            if path.exists():
                top = summarise_profile(path)
                notes["profile"][name] = top
                print(f"\nProfile of {name} at 10 conversations (share of CPU samples):")
                for frame, share in top:
                    print(f"  {share:5.1f}%  {frame}")

    if not args.no_starter:
        print("\nRasa starter assistant (rasa init), REST webhook, same pacing:", flush=True)
        with starter_bot(work) as (url, pid):
            for level in levels:
                results.append(
                    run_level(
                        "rasa starter bot",
                        rasa_sender(url),
                        STARTER,
                        level,
                        args.seconds,
                        args.warmup,
                        args.think_ms,
                        {"rasa": pid},
                    )
                )

    if not args.no_cluster:
        print("\nAsisten Kota, cluster mode (2 Rasa servers, PostgreSQL, Redis lock store):", flush=True)
        try:
            postgres_admin_url()
            with our_stack(work / "cluster", cluster=True) as stack:
                pids = stack_pids(stack)
                for level in levels:
                    results.append(
                        run_level(
                            "asisten-kota cluster",
                            gateway_sender(stack.gateway_url),
                            journeys,
                            level,
                            args.seconds,
                            args.warmup,
                            args.think_ms,
                            pids,
                        )
                    )
                done, tried = cross_server_conversations(stack)
                notes["cluster"] = {
                    "lock_errors": lock_errors(stack),
                    "cross_server_forms_completed": done,
                    "cross_server_forms_tried": tried,
                }
                print(
                    f"  lock errors in Rasa logs: {notes['cluster']['lock_errors']}; complaint forms with turns "
                    f"alternating between servers completed: {done}/{tried}",
                    flush=True,
                )
        except BaseException as exc:  # PostgreSQL/Redis missing: report, keep the single figures
            if isinstance(exc, KeyboardInterrupt):
                raise
            print(f"  cluster mode not measured: {type(exc).__name__}: {exc}", flush=True)

    print("\n" + table(results))
    by = {(r.system, r.concurrency): r for r in results}
    verdicts = []
    ours1, starter1 = by.get(("asisten-kota single", 1)), by.get(("rasa starter bot", 1))
    if ours1 and starter1 and starter1.p50_ms:
        ratio = ours1.p50_ms / starter1.p50_ms
        verdicts.append(f"one conversation p50 = {ratio:.2f}x the starter bot's (target <= 1.5x)")
    ours10 = by.get(("asisten-kota single", 10))
    if ours10:
        verdicts.append(
            f"10 conversations: p95 {ours10.p95_ms:.0f} ms (target <= 500), "
            f"{ours10.per_second:.1f} msg/s (target >= 25)"
        )
    peak = max((sum(r.rss_mb.values()) for r in results if r.system == "asisten-kota single"), default=0.0)
    verdicts.append(f"whole single stack resident memory, peak {peak / 1024:.2f} GB (target <= 3 GB)")
    cl10, si10 = by.get(("asisten-kota cluster", 10)), by.get(("asisten-kota single", 10))
    cl50, si50 = by.get(("asisten-kota cluster", 50)), by.get(("asisten-kota single", 50))
    for cl, si in ((cl10, si10), (cl50, si50)):
        if cl and si and si.per_second:
            gain = cl.per_second / si.per_second
            verdicts.append(
                f"cluster vs single at {cl.concurrency} conversations: {gain:.2f}x throughput "
                f"({cl.per_second:.1f} vs {si.per_second:.1f} msg/s)"
            )
    print("\n" + "\n".join(f"- {v}" for v in verdicts))
    for r in results:
        if r.system != "rasa starter bot" and r.concurrency == max(levels):
            print(
                f"\nResident memory by process, {r.system} at {r.concurrency} conversations (MB): "
                + ", ".join(f"{k} {v:.0f}" for k, v in r.rss_mb.items())
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"results": [asdict(r) for r in results], "notes": notes, "verdicts": verdicts}, indent=2)
    )
    print(f"\nWritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
