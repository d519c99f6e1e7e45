"""Sequential ticket numbers cannot be walked to read agents' notes.

Tickets are JKL-2026-000123, so a stranger can try every number. Before the fix the public status
template carried the latest agent note (written for the reporter: call-back times, the street),
and nothing limited how many numbers one sender, or many fresh senders, could try.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import httpx
import pytest

from citybot.client import CityClient
from tests.reliability.harness import all_text, say
from tests.stack import Stack

pytestmark = pytest.mark.e2e
REFUSED = "sedang dibatasi"


def _file_with_note(stack: Stack, note: str) -> str:
    created = httpx.post(
        f"{stack.backend_url}/open311/v2/requests.json",
        data={
            "service_code": "sampah",
            "description": "Sampah menumpuk di gang",
            "lat": "-6.2101",
            "long": "106.8101",
            "reporter_channel": "web",
            "reporter_address": f"web-{uuid.uuid4().hex}",
        },
        headers={"X-API-Key": stack.env["BACKEND_API_KEY"], "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    ticket = str(created.json()[0]["service_request_id"])

    async def run() -> None:
        async with CityClient(stack.backend_url, stack.env["BACKEND_API_KEY"], timeout=10) as city:
            token = (await city.agent_login("supervisor", stack.env["AGENT_BOOTSTRAP_PASSWORD"])).token
            await city.agent_change_status(token, ticket, status="disposisi", note=note)

    asyncio.run(run())
    return ticket


def test_one_sender_is_limited_but_always_sees_their_own_complaint(sec_stack: Stack) -> None:
    """Per sender, checked straight at the backend (this runs before the city-wide budget is spent
    by the test below): strangers' look-ups are counted, the reporter's never are."""
    stack = sec_stack
    headers = {"X-API-Key": stack.env["BACKEND_API_KEY"]}
    reporter = f"web-{uuid.uuid4().hex}"
    created = httpx.post(
        f"{stack.backend_url}/open311/v2/requests.json",
        data={
            "service_code": "sampah",
            "description": "Sampah di sungai",
            "lat": "-6.2201",
            "long": "106.8201",
            "reporter_channel": "web",
            "reporter_address": reporter,
        },
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    ticket = created.json()[0]["service_request_id"]
    for _ in range(int(stack.env.get("STATUS_LOOKUPS_PER_SENDER", "5")) + 5):
        own = httpx.post(
            f"{stack.backend_url}/api/v1/complaints/{ticket}/lookup",
            json={"channel": "web", "address": reporter},
            headers=headers,
            timeout=10,
        )
        assert own.status_code == 200 and own.json()["role"] == "reporter", own.text
        assert own.json()["complaint"]["description"] == "Sampah di sungai"
    stranger = f"web-{uuid.uuid4().hex}"
    codes = [
        httpx.post(
            f"{stack.backend_url}/api/v1/complaints/{ticket}/lookup",
            json={"channel": "web", "address": stranger},
            headers=headers,
            timeout=10,
        )
        for _ in range(int(stack.env.get("STATUS_LOOKUPS_PER_SENDER", "5")) + 1)
    ]
    assert codes[-1].status_code == 422 and codes[-1].json()["code"] == "status_lookup_limit", codes[-1].text
    assert "coba lagi" in codes[-1].json()["message"]
    for ok in codes[:-1]:
        assert ok.status_code == 200, ok.text
        public = ok.json()
        assert public["role"] == "public" and public["complaint"]["description"] == "", public
        assert public["complaint"]["lat"] is None and all(h["note"] == "" for h in public["complaint"]["history"])


def test_fifty_fresh_senders_walking_ticket_numbers_see_no_notes_and_are_limited(sec_stack: Stack) -> None:
    stack = sec_stack
    secret = f"Pak Wiryo di nomor {uuid.uuid4().hex[:6]} akan ditelepon jam 9"
    tickets = [_file_with_note(stack, secret) for _ in range(3)]
    prefix, number = re.fullmatch(r"(.+-)(\d{6})", tickets[-1]).groups()  # type: ignore[union-attr]
    start = max(1, int(number) - 46)
    replies = []
    started = time.monotonic()
    for n in range(start, start + 50):
        client = f"enum-{uuid.uuid4()}"  # a fresh conversation for every number
        replies.append(all_text(say(stack, client, payload=f'/cek_status_laporan{{"nomor_tiket": "{prefix}{n:06d}"}}')))
    assert not [r for r in replies if secret in r or "Pak Wiryo" in r], "an agent note leaked"
    refused = [i for i, r in enumerate(replies) if REFUSED in r]
    assert refused, "fifty look-ups of other people's tickets went through without any limit"
    limit = int(stack.env.get("STATUS_LOOKUPS_TOTAL", "30"))
    assert refused[0] <= limit, f"first refusal only at look-up {refused[0] + 1}"
    # The budget is a sliding window shared with the other tests of this stack, so a look-up can pass
    # again after an earlier one expires; but within one window no more than the budget passes.
    window = float(stack.env.get("STATUS_LOOKUP_WINDOW_SECONDS", "600"))
    assert time.monotonic() - started < window
    assert len(replies) - len(refused) <= limit, "more look-ups went through than the budget allows"
