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
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import machine, percentile, rss_bytes  # noqa: E402
from citybot.cli import rasa_env  # noqa: E402
from citybot.settings import get_settings  # noqa: E402
from tests.reliability.harness import custom_stack, pid_of  # noqa: E402
from tests.services import drop_postgres, postgres_admin_url  # noqa: E402
from tests.stack import Stack, free_port  # noqa: E402
from tests.webclient import HEADER, aclient_id  # noqa: E402

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
STARTER_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "asisten-kota" / "starter-bot"
FIRST_BUTTON = "<first-button>"
PLACE = "Jl. Cempaka Putih Raya depan Apotek Sehat, Kel. Rawasari"

# Our journeys, as citizens type them (the e2e tests of each journey are the reference).
JOURNEYS: dict[str, list[str]] = {
    "greeting": ["halo", "/tanya_kemampuan", "terima kasih ya"],
    "question": ["halo", "apa syarat membuat KTP elektronik?", "berapa tarif transjakarta?", "makasih"],
    "complaint": [
        "halo", "mau lapor jalan rusak", PLACE, "Lubang besar di lajur kiri sedalam 20 cm, bahaya untuk motor",
        '/kirim_foto{"media_url": "http://127.0.0.1:9/media/lubang.jpg"}', "anonim aja", "/kirim_pengaduan",
    ],
    "status": ["halo", "cek status JKL-2026-000001", "laporan saya gimana?"],
    "homecare": [
        "halo", "mau pesan dokter ke rumah untuk nenek saya", "/tidak", "tidak ada", "/ya", "Daeng Ngalle", "72",
        "0812 3456 7890", "Jl. Tamalate I No. 10, RT 02 RW 03", "Kassi-Kassi", "demam 3 hari, lemas",
        FIRST_BUTTON, "/ya",
    ],
    "product": ["halo", "cari kopi bubuk di banyuwangi", "lagi", "cari batik di bawah 200 ribu"],
}
# Rasa's starter assistant understands only moods and greetings; same number of turns per journey.
STARTER: list[list[str]] = [
    ["hello", "are you a bot?", "thanks"],
    ["hi", "I am sad", "yes", "bye"],
    ["hey", "I am feeling great", "perfect", "good", "see you", "goodbye", "bye"],
    ["good morning", "not good", "bye"],
    ["hello there", "I am unhappy", "no", "very sad", "yes", "great", "ok", "thanks", "bye", "hi", "bye", "hello",
     "bye"],
    ["hi", "I am a bit sad", "yes", "bye"],
]


@dataclass
class LevelResult:
    system: str
    concurrency: int
    messages: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    per_second: float
    rss_mb: dict[str, float] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)
    load_avg: float = 0.0  # 1-minute load average at the end: other work on the machine skews figures


Send = Callable[[httpx.AsyncClient, str, str], Any]


async def _drive(
    send: Send, journeys: list[list[str]], concurrency: int, seconds: float, warmup: float, think_ms: float
) -> tuple[list[float], Counter[str], float]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    started = time.monotonic()
    measure_from = started + warmup
    stop_at = measure_from + seconds
    limits = httpx.Limits(max_connections=concurrency + 10, max_keepalive_connections=concurrency + 10)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:

        async def citizen(index: int) -> None:
            rng = random.Random(index)
            journey = index
            while time.monotonic() < stop_at:
                script = journeys[journey % len(journeys)]
                journey += 1
                sender = f"load-{uuid.uuid4().hex[:16]}"
                previous: list[dict[str, Any]] = []
                todo = list(script)
                while todo:
                    if time.monotonic() >= stop_at:
                        return
                    message = todo.pop(0)
                    said = " ".join(str(r.get("text") or "") for r in previous)
                    if "Dukung laporan itu saja" in said:
                        # An earlier simulated report is nearby: "no, file mine", then go on.
                        todo.insert(0, message)
                        message = "/tidak"
                    if message == FIRST_BUTTON:
                        buttons = [b["payload"] for r in previous for b in r.get("buttons") or []]
                        if not buttons:
                            break
                        message = buttons[0]
                    t0 = time.monotonic()
                    try:
                        previous = await send(http, sender, message)
                        ok = True
                    except Exception as exc:  # counted, the citizen carries on
                        ok = False
                        kind = type(exc).__name__
                        errors[kind if not str(exc)[:3].isdigit() else str(exc)[:3]] += 1
                        previous = []
                    t1 = time.monotonic()
                    if ok and t0 >= measure_from and t1 <= stop_at:
                        latencies.append(t1 - t0)
                    if think_ms:
                        await asyncio.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)

        await asyncio.gather(*(citizen(i) for i in range(concurrency)))
    return latencies, errors, seconds


def gateway_sender(base_url: str) -> Send:
    async def send(http: httpx.AsyncClient, sender: str, message: str) -> Any:
        field_name = "payload" if message.startswith("/") else "text"
        headers = {HEADER: await aclient_id(http, base_url, sender)}
        response = await http.post(f"{base_url}/api/messages", json={field_name: message}, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}")
        return response.json()["replies"]

    return send


def rasa_sender(base_url: str) -> Send:
    async def send(http: httpx.AsyncClient, sender: str, message: str) -> Any:
        response = await http.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}")
        return response.json()

    return send


def run_level(
    system: str, send: Send, journeys: list[list[str]], concurrency: int, seconds: float, warmup: float,
    think_ms: float, pids: dict[str, int],
) -> LevelResult:
    latencies, errors, measured = asyncio.run(_drive(send, journeys, concurrency, seconds, warmup, think_ms))
    ms = [x * 1000 for x in latencies]
    result = LevelResult(
        system=system, concurrency=concurrency, messages=len(ms), errors=sum(errors.values()), seconds=measured,
        p50_ms=percentile(ms, 50), p95_ms=percentile(ms, 95), p99_ms=percentile(ms, 99),
        per_second=len(ms) / measured if measured else 0.0,
        rss_mb={name: rss_bytes(pid) / 2**20 for name, pid in pids.items()},
        error_kinds=dict(errors),
        load_avg=os.getloadavg()[0],
    )
    print(
        f"  {system:<22} {concurrency:>3} conv: {result.messages:>5} msgs, p50 {result.p50_ms:7.1f} ms, "
        f"p95 {result.p95_ms:7.1f} ms, p99 {result.p99_ms:7.1f} ms, {result.per_second:6.1f} msg/s, "
        f"errors {result.errors}, RSS {sum(result.rss_mb.values()):7.0f} MB, load {result.load_avg:.1f}",
        flush=True,
    )
    return result


# --- the systems under test --------------------------------------------------------------------


def stack_pids(stack: Stack) -> dict[str, int]:
    return {name: pid_of(stack, name) for name in stack.processes}


@contextmanager
def our_stack(var_dir: Path, cluster: bool) -> Iterator[Stack]:
    env = {"GATEWAY_RATE_LIMIT_PER_MINUTE": "10000"}
    databases: list[str] = []
    if cluster:
        from tests.services import require_postgres, require_redis

        for key in ("DATABASE_URL", "GATEWAY_DATABASE_URL", "TRACKER_STORE_URL"):
            env[key] = require_postgres()
            databases.append(env[key])
        env.update({"RASA_LOCK_STORE": "redis", "REDIS_URL": require_redis()})
    try:
        with custom_stack(
            var_dir, ["backend", "actions", "rasa", "gateway"], env, rasa_servers=2 if cluster else 1
        ) as stack:
            yield stack
    finally:
        for url in databases:
            drop_postgres(url)


def starter_model() -> Path:
    """`rasa init` trained once per Rasa version and cached; returns the project folder."""
    project = STARTER_CACHE / "project"
    if list((project / "models").glob("*.tar.gz")):
        return project
    if project.exists():
        shutil.rmtree(project)
    project.parent.mkdir(parents=True, exist_ok=True)
    print("Training Rasa's starter assistant once (rasa init --no-prompt)...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        init_dir = Path(tmp) / "starter"
        init_dir.mkdir()
        subprocess.run(
            [str(RASA), "init", "--no-prompt", "--init-dir", str(init_dir)],
            cwd=tmp, env=rasa_env(get_settings()), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        shutil.copytree(init_dir, project)
    return project


@contextmanager
def starter_bot(log_dir: Path) -> Iterator[tuple[str, int]]:
    project = starter_model()
    model = sorted((project / "models").glob("*.tar.gz"))[-1]
    port = free_port()
    env = rasa_env(get_settings())  # same thread settings as ours: a like-for-like floor
    log = (log_dir / "starter-rasa.log").open("ab")
    tracker_db = log_dir / "starter-tracker.db"
    endpoints = log_dir / "starter-endpoints.yml"
    # Like ours, the starter keeps conversations in a SQLite tracker store (a restart loses none).
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker_db}\n")
    process = subprocess.Popen(
        [str(RASA), "run", "--model", str(model), "--endpoints", str(endpoints), "--interface", "127.0.0.1",
         "--port", str(port), "--credentials", str(project / "credentials.yml")],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"starter bot exited, see {log_dir / 'starter-rasa.log'}")
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# --- cluster checks ----------------------------------------------------------------------------


def lock_errors(stack: Stack) -> int:
    text = "\n".join(p.log_tail(10**8) for n, p in stack.processes.items() if n.startswith("rasa"))
    return len(re.findall(r"LockError|Could not acquire lock|TicketExistsError", text))


def cross_server_conversations(stack: Stack, count: int = 4) -> tuple[int, int]:
    """Complaint forms whose turns alternate between the Rasa servers: (completed, tried)."""
    servers = [p.ready_url.rstrip("/") for n, p in stack.processes.items() if n.startswith("rasa")]
    completed = 0
    for n in range(count):
        sender = f"xsrv-{uuid.uuid4().hex[:12]}"
        replies: list[dict[str, Any]] = []
        for turn, message in enumerate(JOURNEYS["complaint"]):
            response = httpx.post(
                f"{servers[turn % len(servers)]}/webhooks/rest/webhook",
                json={"sender": sender, "message": message.replace("20 cm", f"{20 + n} cm")}, timeout=120,
            )
            replies = response.json() if response.status_code == 200 else []
        text = "\n".join(r.get("text") or "" for r in replies)
        completed += bool(re.search(r"\b[A-Z]{2,5}-\d{4}-\d{6}\b", text))
    return completed, count


# --- profiling ---------------------------------------------------------------------------------


def profile_during(pids: dict[str, int], seconds: float, out_dir: Path) -> dict[str, subprocess.Popen[bytes]]:
    spy = shutil.which("py-spy", path=str(ROOT / ".venv" / "bin")) or shutil.which("py-spy")
    if spy is None:
        print("py-spy not installed (pip install 'py-spy>=0.3,<1'); no profile", flush=True)
        return {}
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        name: subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "50", "--format", "raw",
             "--output", str(out_dir / f"{name}.txt"), "--nonblocking", "--subprocesses"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
    urls = {"gateway": stack.gateway_url, "backend": stack.backend_url,
            "actions": f"http://127.0.0.1:{stack.env['ACTION_SERVER_PORT']}"}
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
            results.append(run_level("asisten-kota single", gateway_sender(stack.gateway_url), journeys, level,
                                     args.seconds, args.warmup, args.think_ms, pids))
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
                results.append(run_level("rasa starter bot", rasa_sender(url), STARTER, level, args.seconds,
                                         args.warmup, args.think_ms, {"rasa": pid}))

    if not args.no_cluster:
        print("\nAsisten Kota, cluster mode (2 Rasa servers, PostgreSQL, Redis lock store):", flush=True)
        try:
            postgres_admin_url()
            with our_stack(work / "cluster", cluster=True) as stack:
                pids = stack_pids(stack)
                for level in levels:
                    results.append(run_level("asisten-kota cluster", gateway_sender(stack.gateway_url), journeys,
                                             level, args.seconds, args.warmup, args.think_ms, pids))
                done, tried = cross_server_conversations(stack)
                notes["cluster"] = {"lock_errors": lock_errors(stack), "cross_server_forms_completed": done,
                                    "cross_server_forms_tried": tried}
                print(f"  lock errors in Rasa logs: {notes['cluster']['lock_errors']}; complaint forms with turns "
                      f"alternating between servers completed: {done}/{tried}", flush=True)
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
        verdicts.append(f"10 conversations: p95 {ours10.p95_ms:.0f} ms (target <= 500), "
                        f"{ours10.per_second:.1f} msg/s (target >= 25)")
    peak = max((sum(r.rss_mb.values()) for r in results if r.system == "asisten-kota single"), default=0.0)
    verdicts.append(f"whole single stack resident memory, peak {peak / 1024:.2f} GB (target <= 3 GB)")
    cl10, si10 = by.get(("asisten-kota cluster", 10)), by.get(("asisten-kota single", 10))
    cl50, si50 = by.get(("asisten-kota cluster", 50)), by.get(("asisten-kota single", 50))
    for cl, si in ((cl10, si10), (cl50, si50)):
        if cl and si and si.per_second:
            gain = cl.per_second / si.per_second
            verdicts.append(f"cluster vs single at {cl.concurrency} conversations: {gain:.2f}x throughput "
                            f"({cl.per_second:.1f} vs {si.per_second:.1f} msg/s)")
    print("\n" + "\n".join(f"- {v}" for v in verdicts))
    for r in results:
        if r.system != "rasa starter bot" and r.concurrency == max(levels):
            print(f"\nResident memory by process, {r.system} at {r.concurrency} conversations (MB): "
                  + ", ".join(f"{k} {v:.0f}" for k, v in r.rss_mb.items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"results": [asdict(r) for r in results], "notes": notes,
                                    "verdicts": verdicts}, indent=2))
    print(f"\nWritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
