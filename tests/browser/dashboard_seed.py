"""Known data for the dashboard's browser test, written through the real APIs of a running
stack (Open311 complaints, conversation signals, console accounts, a handoff) plus one direct
database step: backdating two complaints so they are past their service's target.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from sqlalchemy import select, update

from citybot.backend.db import Database
from citybot.backend.models import Complaint
from citybot.client import CityClient
from citybot.client.gateway import GatewayClient
from citybot.gateway.senders import sender_id
from tests.stack import PY, ROOT, Stack

T = TypeVar("T")
CONSOLE = {"X-Requested-With": "agent-console"}
PASSWORD = "rahasia-uji-dasbor-123"

# (kelurahan, lat, long, service): lat/long None = only the kelurahan is known.
REPORTS = [
    ("Gambir", -6.1760, 106.8220, "sampah"),
    ("Gambir", -6.1768, 106.8231, "sampah"),
    ("Gambir", -6.1755, 106.8242, "sampah"),
    ("Gambir", -6.1772, 106.8215, "lampu-jalan"),
    ("Cideng", -6.1705, 106.8060, "lampu-jalan"),
    ("Cideng", -6.1712, 106.8071, "lampu-jalan"),
    ("Cideng", None, None, "jalan-rusak"),
    ("Kemayoran", None, None, "jalan-rusak"),
    ("Kemayoran", None, None, "sampah"),
    (None, None, None, "jalan-rusak"),  # neither point nor kelurahan: "tanpa lokasi"
]
OVERDUE = (0, 1)  # two Gambir rubbish reports, filed 5 days ago against a 2-day target
CLOSED = 8  # Kemayoran rubbish: done
EMERGENCIES = [("bencana", "Kemayoran")] * 4 + [("kebakaran", "Cideng")]
# Unanswered questions of two topics (the second with a phone number the report must mask).
QUESTIONS = [
    "bagaimana cara mengurus izin keramaian untuk acara pernikahan",
    "syarat izin keramaian untuk acara pernikahan apa saja",
    "cara mengurus izin keramaian acara di kampung",
    "izin keramaian untuk acara 17 agustus di kampung gimana caranya",
    "kapan ada pemutihan pajak kendaraan bermotor tahun ini",
    "apakah ada program pemutihan pajak motor, hubungi saya di 081234567890",
    "pemutihan pajak kendaraan bermotor berlaku sampai kapan",
]


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Playwright's sync API owns this thread's event loop, so async clients run in another."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


NEAREST = {
    "keramaian": [{"id": "administrasi-pengantar-nikah", "score": 0.41}],
    "pajak": [{"id": "transportasi-ganjil-genap", "score": 0.22}],
}


@dataclass
class Seeded:
    tickets: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> list[str]:
        return [self.tickets[i] for i in OVERDUE]


async def _file_reports(stack: Stack) -> list[str]:
    tickets = []
    async with CityClient(stack.backend_url, stack.env["BACKEND_API_KEY"], timeout=10) as city:
        for n, (kelurahan, lat, long, service) in enumerate(REPORTS):
            complaint = await city.create_complaint(
                service_code=service,
                description=f"Laporan uji dasbor nomor {n + 1}",
                channel="web",
                address=f"uji-dasbor-{n}",  # one reporter each: the per-reporter limit is not under test
                idempotency_key=f"uji-dasbor-{n}",
                lat=lat,
                long=long,
                kelurahan=kelurahan,
                address_string=f"Jl. Uji Dasbor {n + 1}",
            )
            tickets.append(complaint.ticket)
    return tickets


def _no_reports(stack: Stack) -> None:
    """The seed's example complaints go: the dashboard's figures are this test's reports only."""
    db = Database.connect(stack.env["DATABASE_URL"])
    try:
        with db.writing() as session:
            for complaint in session.scalars(select(Complaint)).all():
                session.delete(complaint)  # with its status history and subscribers
    finally:
        db.dispose()


def _backdate(stack: Stack, tickets: list[str], days: int) -> None:
    db = Database.connect(stack.env["DATABASE_URL"])
    try:
        with db.writing() as session:
            when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
            session.execute(update(Complaint).where(Complaint.ticket.in_(tickets)).values(created_at=when))
    finally:
        db.dispose()


def _signals(stack: Stack) -> None:
    headers = {"X-API-Key": stack.env["BACKEND_API_KEY"]}
    bodies = [{"kind": "emergency", "subtype": t, "kelurahan": k, "channel": "web"} for t, k in EMERGENCIES]
    # What retrieval offered when each was asked (the report's nearest documents without an index).
    for q in QUESTIONS:
        near = NEAREST["keramaian" if "keramaian" in q else "pajak"]
        bodies.append({"kind": "not_understood", "channel": "web", "text": q, "closest_docs": near})
    for body in bodies:
        response = httpx.post(f"{stack.backend_url}/api/v1/signals", json=body, headers=headers, timeout=10)
        assert response.status_code == 202, response.text


def create_account(stack: Stack, admin: httpx.Client, username: str, role: str) -> None:
    """The same account in the console (gateway) and in the city backend, as a city sets it up."""
    made = admin.post(
        f"{stack.gateway_url}/agent/api/agents",
        json={"username": username, "password": PASSWORD, "role": role},
        headers=CONSOLE,
    )
    assert made.status_code == 200, made.text
    subprocess.run(
        [PY, "-m", "citybot.backend", "create-agent", "--username", username, "--role", role, "--password", PASSWORD],
        cwd=ROOT,
        env=stack.env,
        check=True,
        capture_output=True,
    )


@contextmanager
def console_login(stack: Stack, username: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_url, timeout=20) as client:
        answer = client.post("/agent/api/login", json={"username": username, "password": password}, headers=CONSOLE)
        assert answer.status_code == 200, answer.text
        yield client


def _handoffs(stack: Stack, admin: httpx.Client) -> None:
    """Two citizens ask for an agent; the supervisor takes the first: one waiting, one answered."""
    gateway = GatewayClient(stack.gateway_url, stack.env["NOTIFY_SECRET"])
    senders = [sender_id(stack.env["SENDER_ID_KEY"], "web", f"uji-dasbor-warga-{i}") for i in range(2)]
    for sender in senders:
        run_async(gateway.handoff(sender, "Warga bertanya tentang banjir", "permintaan"))
    taken = admin.post(f"/agent/api/conversations/{senders[0]}/take", headers=CONSOLE)
    assert taken.status_code == 200, taken.text


def _work_on(admin: httpx.Client, ticket: str, status: str) -> None:
    changed = admin.post(f"/agent/api/complaints/{ticket}/status", json={"status": status}, headers=CONSOLE)
    assert changed.status_code == 200, changed.text


def seed(stack: Stack, admin: httpx.Client) -> Seeded:
    _no_reports(stack)
    seeded = Seeded(run_async(_file_reports(stack)))
    _backdate(stack, seeded.overdue, days=5)
    # The city answers one overdue report now (first response after 5 days; still overdue: open)
    # and finishes the Kemayoran rubbish report at once.
    _work_on(admin, seeded.tickets[OVERDUE[0]], "proses")
    _work_on(admin, seeded.tickets[CLOSED], "proses")
    _work_on(admin, seeded.tickets[CLOSED], "selesai")
    _signals(stack)
    _handoffs(stack, admin)
    return seeded
