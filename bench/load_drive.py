"""The load benchmark's simulated citizens: journeys typed through the gateway's web API (or a
Rasa REST webhook), N conversations in flight, latencies and errors per level (bench/load.py)."""

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench._common import percentile, rss_bytes
from tests.webclient import HEADER, aclient_id

FIRST_BUTTON = "<first-button>"
PLACE = "Jl. Cempaka Putih Raya depan Apotek Sehat, Kel. Rawasari"

# Our journeys, as citizens type them (the e2e tests of each journey are the reference).
JOURNEYS: dict[str, list[str]] = {
    "greeting": ["halo", "/tanya_kemampuan", "terima kasih ya"],
    "question": ["halo", "apa syarat membuat KTP elektronik?", "berapa tarif transjakarta?", "makasih"],
    "complaint": [
        "halo",
        "mau lapor jalan rusak",
        PLACE,
        "Lubang besar di lajur kiri sedalam 20 cm, bahaya untuk motor",
        '/kirim_foto{"media_url": "http://127.0.0.1:9/media/lubang.jpg"}',
        "anonim aja",
        "/kirim_pengaduan",
    ],
    "status": ["halo", "cek status JKL-2026-000001", "laporan saya gimana?"],
    "homecare": [
        "halo",
        "mau pesan dokter ke rumah untuk nenek saya",
        "/tidak",
        "tidak ada",
        "/ya",
        "Daeng Ngalle",
        "72",
        "0812 3456 7890",
        "Jl. Tamalate I No. 10, RT 02 RW 03",
        "Kassi-Kassi",
        "demam 3 hari, lemas",
        FIRST_BUTTON,
        "/ya",
    ],
    "product": ["halo", "cari kopi bubuk di banyuwangi", "lagi", "cari batik di bawah 200 ribu"],
}
# Rasa's starter assistant understands only moods and greetings; same number of turns per journey.
STARTER: list[list[str]] = [
    ["hello", "are you a bot?", "thanks"],
    ["hi", "I am sad", "yes", "bye"],
    ["hey", "I am feeling great", "perfect", "good", "see you", "goodbye", "bye"],
    ["good morning", "not good", "bye"],
    [
        "hello there",
        "I am unhappy",
        "no",
        "very sad",
        "yes",
        "great",
        "ok",
        "thanks",
        "bye",
        "hi",
        "bye",
        "hello",
        "bye",
    ],
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
    system: str,
    send: Send,
    journeys: list[list[str]],
    concurrency: int,
    seconds: float,
    warmup: float,
    think_ms: float,
    pids: dict[str, int],
) -> LevelResult:
    latencies, errors, measured = asyncio.run(_drive(send, journeys, concurrency, seconds, warmup, think_ms))
    ms = [x * 1000 for x in latencies]
    result = LevelResult(
        system=system,
        concurrency=concurrency,
        messages=len(ms),
        errors=sum(errors.values()),
        seconds=measured,
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
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
