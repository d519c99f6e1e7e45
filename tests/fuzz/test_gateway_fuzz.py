"""Thousands of hostile messages through the real gateway → Rasa → action server → backend.

No 5xx, no process dies, every message gets a polite reply, and what the gateway keeps in its
message log is exactly what the citizen sent (minus NUL bytes and surrounding blanks).
Hypothesis draws batches of messages; each batch is sent concurrently over several senders so
~2,000 messages take a couple of minutes.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citybot.signing import body_signature
from tests.fuzz.inputs import corpus, message
from tests.reliability.harness import FAKE_APP_SECRET, whatsapp_delivery
from tests.stack import Stack
from tests.webclient import client_id as issued_id
from tests.webclient import headers_for

pytestmark = pytest.mark.e2e

SENDERS = 200  # ~12 messages each over two minutes: under the 20-per-minute flood limit
CONCURRENCY = 8
BATCH = 150
BATCHES = 14  # 14 x 150 generated + the corpus (~120) + the raw-body cases > 2,000 messages
MAX_TEXT = 4000
# An unfilled response variable or a leaked error is not a polite reply.
IMPOLITE = re.compile(r"\{[a-z_]+\}|Traceback|Exception|Internal Server Error|\bNone\b|undefined")


@dataclass
class Traffic:
    """What one module's fuzz run sent and got back; every test reads it through the fixture."""

    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    sent: list[tuple[str, str]] = field(default_factory=list)  # (web client id, text) accepted
    outcomes: Counter[str] = field(default_factory=Counter)
    slowest: list[float] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)  # part -> bad answers
    sizes: Counter[str] = field(default_factory=Counter)  # part -> messages sent

    def client_id(self, i: int) -> str:
        return f"fuzz-{self.run}-{i % SENDERS}"


def expected_stored(text: str) -> str:
    """NUL dropped and surrounding blanks trimmed; nothing else changes."""
    return text.replace("\x00", "").strip()


async def _send_all(stack: Stack, traffic: Traffic, items: list[tuple[str, str]], offset: int) -> list[str]:
    problems: list[str] = []
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:

        async def one(i: int, field: str, value: str) -> None:
            sender = traffic.client_id(offset + i)
            async with gate:
                started = time.monotonic()
                # Serialised here with \u escapes, so even a lone surrogate reaches the server.
                body = json.dumps({field: value}).encode()
                headers = {"Content-Type": "application/json", **headers_for(stack.gateway_url, sender)}
                try:
                    response = await http.post("/api/messages", content=body, headers=headers)
                except httpx.HTTPError as exc:
                    problems.append(f"{field}={value[:80]!r}: {type(exc).__name__} {exc}")
                    return
                traffic.slowest.append(time.monotonic() - started)
            traffic.outcomes[str(response.status_code)] += 1
            if response.status_code >= 500:
                problems.append(f"{field}={value[:80]!r}: HTTP {response.status_code} {response.text[:200]}")
                return
            if (field == "payload" and len(value) > 2000) or (field == "text" and len(value) > 20_000):
                if response.status_code != 422:  # beyond the API's documented bounds
                    problems.append(f"{field}: {len(value)} characters answered {response.status_code}")
                return
            if re.search("[\ud800-\udfff]", value):
                # Not Unicode at all: refused as invalid input, with a sentence for the citizen.
                if response.status_code != 422 or not response.json().get("replies"):
                    problems.append(f"{field}={value[:80]!r}: lone surrogate answered {response.status_code}")
                return
            if response.status_code != 200:
                problems.append(f"{field}={value[:80]!r}: HTTP {response.status_code} {response.text[:200]}")
                return
            replies = response.json()["replies"]
            texts = [r.get("text") or "" for r in replies]
            if not any(t.strip() for t in texts) and not any(r.get("buttons") for r in replies):
                problems.append(f"{field}={value[:80]!r}: no reply")
            for t in texts:
                # The bot may quote the citizen ("kelurahan 'None {' belum saya kenali"): only what
                # the citizen did not write counts as a leaked placeholder or error.
                leaked = [m.group() for m in IMPOLITE.finditer(t) if m.group() not in value]
                if leaked:
                    problems.append(f"{field}={value[:80]!r}: impolite reply {t[:160]!r}")
            cleaned = expected_stored(value)
            if cleaned and len(cleaned) <= MAX_TEXT:
                traffic.sent.append((sender, value))

        await asyncio.gather(*(one(i, f, v) for i, (f, v) in enumerate(items)))
    return problems


def send_part(stack: Stack, traffic: Traffic, part: str, items: list[tuple[str, str]]) -> None:
    problems = asyncio.run(_send_all(stack, traffic, items, offset=len(traffic.sent)))
    traffic.problems.setdefault(part, []).extend(problems)
    traffic.sizes[part] += len(items)


def send_generated(stack: Stack, traffic: Traffic) -> None:
    """Hypothesis draws the batches (the same ones every run: derandomized, no example database)."""

    @settings(
        max_examples=BATCHES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(batch=st.lists(message, min_size=BATCH, max_size=BATCH))
    def one_batch(batch: list[tuple[str, str]]) -> None:
        send_part(stack, traffic, "generated", batch)

    one_batch()


@pytest.fixture(scope="module")
def traffic(fuzz_stack: Stack) -> Traffic:
    """The whole fuzz run (fixed corpus, then the generated batches), sent once per module
    whichever test asks first, so each test below can also run on its own."""
    sent = Traffic()
    corpus_items = [("text", t) for t in corpus()] + [("payload", t) for t in corpus() if t.startswith("/")]
    send_part(fuzz_stack, sent, "corpus", corpus_items)
    send_generated(fuzz_stack, sent)
    return sent


def assert_part_clean(traffic: Traffic, part: str, at_least: int) -> None:
    problems = traffic.problems.get(part, [])
    assert not problems, f"{len(problems)} bad answers, e.g.:\n" + "\n".join(problems[:15])
    assert traffic.sizes[part] >= at_least, dict(traffic.sizes)


def test_fixed_corpus(traffic: Traffic) -> None:
    assert_part_clean(traffic, "corpus", at_least=100)


def test_generated_messages(traffic: Traffic) -> None:
    assert_part_clean(traffic, "generated", at_least=BATCH * BATCHES)


@pytest.mark.parametrize(
    "body",
    [
        b'{"sender": "raw-1", "text": "jalan \xff\xfe rusak"}',
        b'{"sender": "raw-2", "text": "\xc3\x28 \xa0\xa1"}',
        b'{"sender": "raw-3", "text": "\xed\xa0\x80"}',  # an encoded surrogate: invalid UTF-8
        b'{"sender": "raw-4", "text": "ok"',
        b"\x00\x00\x00",
        b"",
        b'{"sender": "raw-5", "text": ["list"]}',
        b'{"text": "' + b"s" * 300_000 + b'"}',  # over the body cap: 413 before it is read
        b'{"sender": "raw-6", "text": "halo", "payload": {"nested": 1}}',
    ],
)
def test_invalid_bytes_in_the_http_body_are_refused_cleanly(fuzz_stack: Stack, body: bytes) -> None:
    response = httpx.post(
        f"{fuzz_stack.gateway_url}/api/messages",
        content=body,
        timeout=30,
        headers={"Content-Type": "application/json", **headers_for(fuzz_stack.gateway_url, "raw")},
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    # The error shape of the chat API: always a `detail` for programs; refused content (422) and
    # an oversized body (413) also carry a sentence for the citizen. Bytes that are not UTF-8 are
    # refused by FastAPI's body parser itself (400, `detail` only).
    data = response.json()
    assert response.status_code in {400, 413, 422} and data.get("detail"), data
    if response.status_code != 400:
        assert (data["replies"][0].get("text") or "").strip(), data


@pytest.mark.parametrize(
    "text", ["jalan \udcff rusak", "\x00\x00", "x" * 5000, "👨‍👩‍👧‍👦 \u202e laporan", "' OR 1=1 --"]
)
def test_whatsapp_webhook_takes_odd_text_without_error(fuzz_stack: Stack, text: str) -> None:
    wa_id = "628" + str(uuid.uuid4().int)[:10]
    delivery = whatsapp_delivery(wa_id, text, f"wamid.{uuid.uuid4().hex}")
    body = json.dumps(delivery, ensure_ascii=True).encode()
    response = httpx.post(
        f"{fuzz_stack.gateway_url}/whatsapp/webhook",
        content=body,
        timeout=60,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": body_signature(FAKE_APP_SECRET, body)},
    )
    assert response.status_code == 200, response.text[:300]
    # Taken as one new message, unless nothing is left of the text once NULs and blanks go.
    assert response.json() == {"status": "ok", "handled": 1 if expected_stored(text) else 0}


def test_invalid_utf8_in_a_signed_whatsapp_delivery_is_refused_cleanly(fuzz_stack: Stack) -> None:
    body = b'{"object": "whatsapp_business_account", "entry": [\xff\xfe]}'
    response = httpx.post(
        f"{fuzz_stack.gateway_url}/whatsapp/webhook",
        content=body,
        timeout=30,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": body_signature(FAKE_APP_SECRET, body)},
    )
    assert response.status_code == 400 and response.json() == {"detail": "invalid JSON"}, response.text[:300]


def test_every_message_was_answered_and_the_stack_is_still_up(fuzz_stack: Stack, traffic: Traffic) -> None:
    outcomes = traffic.outcomes
    total = sum(outcomes.values())
    assert total >= 2000, f"only {total} messages went through ({dict(outcomes)})"
    assert total == sum(traffic.sizes.values()), "a message got no HTTP answer at all"
    for name, process in fuzz_stack.processes.items():
        assert process.popen is not None and process.popen.poll() is None, f"{name} died:\n{process.log_tail()}"
    health = httpx.get(f"{fuzz_stack.gateway_url}/healthz", timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert not any(code.startswith("5") for code in outcomes), dict(outcomes)
    # Every message kept for the log check was answered 200 with a reply (checked as it came back).
    assert outcomes["200"] >= len(traffic.sent) >= 1500, (dict(outcomes), len(traffic.sent))
    # And the stack still holds a conversation after the storm: a fresh citizen gets a real answer.
    after = httpx.post(
        f"{fuzz_stack.gateway_url}/api/messages",
        json={"text": "halo"},
        timeout=60,
        headers=headers_for(fuzz_stack.gateway_url, f"fuzz-after-{traffic.run}"),
    )
    assert after.status_code == 200 and any((r.get("text") or "").strip() for r in after.json()["replies"])


def test_gateway_message_log_keeps_the_text_exactly(fuzz_stack: Stack, traffic: Traffic) -> None:
    """Each accepted message is in the gateway's history byte for byte (NUL and blanks trimmed)."""
    from citybot.gateway.senders import sender_id

    key = fuzz_stack.env["SENDER_ID_KEY"]
    expected: dict[str, Counter[str]] = {}
    for client, text in traffic.sent:
        sender = sender_id(key, "web", issued_id(fuzz_stack.gateway_url, client))
        expected.setdefault(sender, Counter())[expected_stored(text)] += 1
    db = sqlite3.connect(fuzz_stack.var_dir / "gateway.db")
    try:
        stored: dict[str, Counter[str]] = {}
        for sender, text in db.execute(
            "SELECT sender_id, text FROM messages WHERE direction = 'in' AND author = 'citizen'"
        ):
            if sender in expected:
                stored.setdefault(sender, Counter())[text] += 1
    finally:
        db.close()
    missing = {s: expected[s] - stored.get(s, Counter()) for s in expected}
    missing = {s: c for s, c in missing.items() if c}
    assert not missing, f"not stored exactly: {[t[:60] for c in missing.values() for t in c][:10]}"
    assert sum(sum(c.values()) for c in expected.values()) >= 1500
