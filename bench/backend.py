"""Backend throughput: complaints created and products searched by 10 concurrent clients.

Starts a real uvicorn server (`python -m citybot.backend serve`) on a fresh SQLite file and on a
fresh PostgreSQL database (skipped with a note when PostgreSQL is not reachable), then prints
requests/second and p50/p95 latency. Only talks to 127.0.0.1. Figures, not a pass/fail test.

    .venv/bin/python bench/backend.py [--requests-per-client 30] [--clients 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import postgres_url  # noqa: E402
from tests.backend_process import backend_cli, served_backend  # noqa: E402

API_KEY = "bench-api-key"
QUERIES = ["kopi", "kopi arabika ijen", "batik gajah oling", "kerajinan bambu", "gula aren", "kue", "madu"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_load(
    base: str, clients: int, per_client: int, make: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0

    async def worker(n: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": API_KEY}, timeout=30) as http:
            for i in range(per_client):
                t0 = time.perf_counter()
                response = await make(http, n * per_client + i)
                latencies.append(time.perf_counter() - t0)
                if response.status_code >= 400:
                    errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*[worker(n) for n in range(clients)])
    return time.perf_counter() - t0, latencies, errors


async def create_complaint(http: httpx.AsyncClient, i: int) -> httpx.Response:
    form = {
        "service_code": ["sampah", "jalan-rusak", "banjir", "lampu-jalan"][i % 4],
        "lat": str(-6.2 + (i % 100) * 0.001),
        "long": str(106.8 + (i % 50) * 0.001),
        "description": f"Laporan uji beban nomor {i}",
        "reporter_channel": "web",
        "reporter_address": f"bench-{i}",
    }
    return await http.post("/open311/v2/requests.json", data=form, headers={"Idempotency-Key": uuid.uuid4().hex})


async def search_products(http: httpx.AsyncClient, i: int) -> httpx.Response:
    return await http.get("/api/v1/kampung/products", params={"q": QUERIES[i % len(QUERIES)], "page_size": 10})


def report(label: str, elapsed: float, latencies: list[float], errors: int) -> None:
    print(
        f"  {label:<18} {len(latencies) / elapsed:8.1f} req/s   p50 {statistics.median(latencies) * 1000:7.1f} ms"
        f"   p95 {percentile(latencies, 0.95) * 1000:7.1f} ms   errors {errors}/{len(latencies)}"
    )


def bench(kind: str, url: str, clients: int, per_client: int) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BACKEND_API_KEY": API_KEY,
        "NOTIFY_SECRET": "bench-secret",
    }
    backend_cli(env, "migrate", timeout=300)
    backend_cli(env, "seed", timeout=300)
    with served_backend(env, "--no-outbox") as base:
        asyncio.run(run_load(base, 2, 5, search_products))  # warm-up
        print(f"{kind}: {clients} concurrent clients x {per_client} requests, one uvicorn worker")
        report("create complaint", *asyncio.run(run_load(base, clients, per_client, create_complaint)))
        report("search products", *asyncio.run(run_load(base, clients, per_client, search_products)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests-per-client", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.clients, args.requests_per_client)
    url = postgres_url()
    if url is not None:
        from tests.services import drop_postgres

        try:
            bench("postgresql", url, args.clients, args.requests_per_client)
        finally:
            drop_postgres(url)


if __name__ == "__main__":
    main()
