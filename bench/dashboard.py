"""Insight dashboard load with 100,000 complaints in PostgreSQL.

Creates a scratch PostgreSQL database, migrates and seeds it with the backend's own CLI, bulk-loads
100,000 complaints (COPY) spread over two years, every complaint category and every kelurahan of
the city (a few busy ones), with a status history that gives first-response and completion
times, then starts a real backend (`python -m citybot.backend serve`) and times what the
console fetches to draw the insight dashboard: summary + map + areas, over HTTP. Prints p50/p95
of the whole load and of each endpoint; drops the scratch database at the end. Figures, not a
pass/fail test; the target is under 1 s for the whole load.

    .venv/bin/python bench/dashboard.py [--complaints 100000] [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import machine, percentile, postgres_url  # noqa: E402
from citybot.city_profile import load_profile  # noqa: E402
from tests.backend_process import backend_cli, served_backend  # noqa: E402

API_KEY = "bench-api-key"
CITY = "jakarta"
INSIGHT = "/api/v1/agent/insight"
ENDPOINTS = ("summary", "map", "areas")
OPEN_STATUSES = ("menunggu", "koordinasi", "disposisi", "proses")


def _psycopg_target(url: str) -> dict[str, Any]:
    from urllib.parse import urlparse

    parsed = urlparse(url.replace("postgresql+psycopg", "postgresql"))
    return {
        "host": parsed.hostname,
        "port": parsed.port or 5432,
        "user": parsed.username,
        "dbname": parsed.path.lstrip("/"),
    }


def _status(age_days: float, rng: random.Random) -> str:
    """Old reports are mostly done; a few stay open for ever (the overdue list)."""
    roll = rng.random()
    if age_days > 30:
        if roll < 0.85:
            return "selesai"
        if roll < 0.95:
            return ("ditolak", "duplikat", "dibatalkan")[int(roll * 1000) % 3]
        return OPEN_STATUSES[int(roll * 1000) % 4]
    if roll < 0.35:
        return "selesai"
    return OPEN_STATUSES[int(roll * 1000) % 4]


def generate(
    n: int, first_id: int, services: list[str], profile_key: str, seed: int = 7
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Complaint rows and status-history rows, ready for COPY."""
    rng = random.Random(seed)
    profile = load_profile(ROOT / "cities" / profile_key)
    centroids = profile.centroids
    # A few kelurahan get most reports, as real hot spots do (Zipf-like weights).
    weights = [1 / (rank + 1) for rank in range(len(centroids))]
    now = dt.datetime.now(dt.UTC)
    complaints: list[tuple[Any, ...]] = []
    history: list[tuple[Any, ...]] = []
    for i in range(n):
        cid = first_id + i
        created = now - dt.timedelta(seconds=rng.uniform(0, 730 * 86_400))
        age_days = (now - created).total_seconds() / 86_400
        place = rng.choices(centroids, weights)[0]
        kind = rng.random()
        lat = long = None
        kelurahan: str | None = place.name
        if kind < 0.6:
            lat, long = place.lat + rng.uniform(-0.004, 0.004), place.lon + rng.uniform(-0.004, 0.004)
        elif kind > 0.97:
            kelurahan = None
        status = _status(age_days, rng)
        code = services[i % len(services)]
        complaints.append(
            (
                cid,
                f"BENCH-{cid:07d}",
                code,
                profile.jurisdiction_id,
                status,
                f"Laporan uji dasbor nomor {cid}",
                kelurahan,
                lat,
                long,
                "Warga Uji",
                False,
                created,
                created,
            )
        )
        history.append((cid, "menunggu", "Laporan diterima.", "sistem", created))
        if status == "menunggu":
            continue
        respond = created + dt.timedelta(hours=rng.uniform(0.2, 72))
        if respond > now:
            respond = now
        first_status = "proses" if status == "selesai" else status
        history.append((cid, first_status, "Ditindaklanjuti.", "petugas", respond))
        if status == "selesai":
            done = min(now, respond + dt.timedelta(hours=rng.uniform(4, 240)))
            history.append((cid, "selesai", "Selesai ditangani.", "petugas", done))
    return complaints, history


def bulk_load(url: str, n: int) -> tuple[int, int, float]:
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(**_psycopg_target(url)) as conn:
        services = [r[0] for r in conn.execute("SELECT code FROM services WHERE active ORDER BY code")]
        first_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM complaints").fetchone()[0])  # type: ignore[index]
        complaints, history = generate(n, first_id, services, CITY)
        with conn.cursor() as cur:
            with cur.copy(
                "COPY complaints (id, ticket, service_code, jurisdiction_id, status, description, kelurahan,"
                " lat, long, reporter_name, awaiting_confirmation, created_at, updated_at) FROM STDIN"
            ) as copy:
                for row in complaints:
                    copy.write_row(row)
            with cur.copy(
                "COPY complaint_status_history (complaint_id, status, note, actor, changed_at) FROM STDIN"
            ) as copy:
                for row in history:
                    copy.write_row(row)
            # Explicit ids went past the sequence; a complaint filed later must not collide.
            cur.execute("SELECT setval(pg_get_serial_sequence('complaints', 'id'), (SELECT max(id) FROM complaints))")
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE complaints")
        conn.execute("ANALYZE complaint_status_history")
    return len(complaints), len(history), time.perf_counter() - t0


async def _timed(http: httpx.AsyncClient, path: str, params: dict[str, str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    response = await http.get(f"{INSIGHT}/{path}", params=params)
    elapsed = time.perf_counter() - t0
    response.raise_for_status()
    return elapsed, len(response.content)


async def measure(base: str, token: str, runs: int, params: dict[str, str]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in (*ENDPOINTS, "load (sequential)", "load (parallel)")}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        for _ in range(2):  # warm-up: connections, plans, the profile cache
            await asyncio.gather(*[_timed(http, name, params) for name in ENDPOINTS])
        for _ in range(runs):
            total = 0.0
            for name in ENDPOINTS:
                elapsed, _size = await _timed(http, name, params)
                timings[name].append(elapsed)
                total += elapsed
            timings["load (sequential)"].append(total)
            t0 = time.perf_counter()
            # A browser fetches the three at once.
            await asyncio.gather(*[_timed(http, name, params) for name in ENDPOINTS])
            timings["load (parallel)"].append(time.perf_counter() - t0)
    return timings


def report(label: str, timings: dict[str, list[float]]) -> None:
    print(f"  {label}")
    for name, values in timings.items():
        print(
            f"    {name:<18} p50 {percentile(values, 50) * 1000:7.1f} ms   p95 {percentile(values, 95) * 1000:7.1f} ms"
        )


async def sizes(base: str, token: str) -> str:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
        summary = (await http.get(f"{INSIGHT}/summary")).json()
        geo = (await http.get(f"{INSIGHT}/map")).json()
        t0 = time.perf_counter()
        csv_bytes = 0
        async with http.stream("GET", f"{INSIGHT}/complaints.csv") as response:
            async for chunk in response.aiter_bytes():
                csv_bytes += len(chunk)
        export_s = time.perf_counter() - t0
    return (
        f"  summary: {summary['totals']}, {len(summary['weekly'])} week x category rows, "
        f"{len(summary['overdue'])} overdue listed\n"
        f"  map: {len(geo['features'])} of {geo['total']} points (truncated={geo['truncated']}, "
        f"unplaced={geo['unplaced']})\n"
        f"  CSV download of every complaint: {csv_bytes / 1e6:.1f} MB in {export_s:.1f} s"
    )


def run(url: str, n: int, runs: int) -> None:
    env = {**os.environ, "DATABASE_URL": url, "BACKEND_API_KEY": API_KEY, "NOTIFY_SECRET": "bench-secret"}
    env["CITY_PROFILE"] = CITY
    backend_cli(env, "migrate", timeout=300)
    backend_cli(env, "seed", timeout=300)
    made, steps, seconds = bulk_load(url, n)
    print(f"loaded {made:,} complaints and {steps:,} status-history rows in {seconds:.1f} s (COPY)")
    token = backend_cli(
        env, "create-agent", "--username", "bench-supervisor", "--role", "supervisor", "--password", "bench-pass-123"
    ).strip()
    today = dt.date.today()
    with served_backend(env, "--no-outbox") as base:
        print(f"dashboard load over HTTP, {runs} runs, one uvicorn worker (target: whole load < 1 s)")
        # Shared machines vary: the load average says how much of the CPU the figures had.
        info = machine()
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        print(f"  machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}; load average {load}")
        report("no filter (two years)", asyncio.run(measure(base, token, runs, {})))
        last_90 = {"date_from": (today - dt.timedelta(days=90)).isoformat(), "date_to": today.isoformat()}
        report("last 90 days", asyncio.run(measure(base, token, runs, last_90)))
        report("one category, two years", asyncio.run(measure(base, token, runs, {"category": "sampah"})))
        print(asyncio.run(sizes(base, token)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    url = postgres_url()
    if url is None:
        return
    from tests.services import drop_postgres

    try:
        run(url, args.complaints, args.runs)
    finally:
        drop_postgres(url)


if __name__ == "__main__":
    main()
