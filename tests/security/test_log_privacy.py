"""After real conversations and API calls carrying a NIK and phone numbers, no log line and no
file the stack wrote outside its databases contains them unmasked."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path

import httpx
import pytest

from citybot.client import CityClient
from tests.reliability.harness import FakeGraph, all_text, post_whatsapp, say, wait_until, whatsapp_delivery
from tests.security.flows import book_homecare, file_complaint
from tests.stack import Stack

pytestmark = pytest.mark.e2e

NIK = "3174051203850007"
PHONE_CHAT = "0813 5555 2468"  # typed in chat (HomeCare contact)
PHONE_API = "+62 857-4444-1357"  # given to the Open311 API
WA_ID = "6281299990123"  # a WhatsApp citizen's number (their platform id)
# A phone number is found by its last eight digits whatever the separators were.
SECRETS = {"NIK": NIK, "chat phone": "55552468", "API phone": "44441357", "WhatsApp number": "99990123"}
DATABASE_FILES = re.compile(r"\.(db|sqlite3?)(-wal|-shm|-journal)?$")


def stack_files(stack: Stack) -> list[Path]:
    """Every log and every other file the stack wrote, except its databases (which must hold
    the data) and uploaded media."""
    return [
        p
        for p in stack.var_dir.rglob("*")
        if p.is_file() and not DATABASE_FILES.search(p.name) and "media" not in p.parts
    ]


def unmasked(stack: Stack) -> list[str]:
    found = []
    for path in stack_files(stack):
        text = path.read_text(errors="replace")
        digits_only = re.sub(r"[\s.()\-+]", "", text)
        for what, value in SECRETS.items():
            if value in text or value in digits_only:
                lines = [line for line in text.splitlines() if value in re.sub(r"[\s.()\-+]", "", line)]
                found.append(f"{what} in {path.relative_to(stack.var_dir)}: {lines[:2]}")
    return found


def test_no_nik_or_phone_number_in_any_log_after_a_full_run(
    sec_stack: Stack, hc_stack: Stack, graph: FakeGraph
) -> None:
    stack = sec_stack
    headers = {"X-API-Key": stack.env["BACKEND_API_KEY"]}
    # 1. A citizen types personal data into the web chat, inside and outside a form.
    web = f"priv-{uuid.uuid4()}"
    say(stack, web, f"halo, NIK saya {NIK} dan HP saya {PHONE_CHAT}")
    file_complaint(stack, web, f"Jalan amblas. Hubungi saya {PHONE_CHAT}, NIK {NIK}")
    # 2. A HomeCare booking with a phone number, then the citizen asks for their data.
    hc = f"priv-hc-{uuid.uuid4()}"
    # (HomeCare runs in Makassar: that stack's logs are scanned too.)
    say(hc_stack, hc, "halo")
    book_homecare(hc_stack, hc, phone=PHONE_CHAT, patient="Ibu Privasi", complaint=f"demam 3 hari, lemas. NIK {NIK}")
    say(hc_stack, hc, "saya mau lihat data pribadi saya")
    # 3. WhatsApp: the platform id is the phone number.
    reply = post_whatsapp(stack, whatsapp_delivery(WA_ID, f"lapor, nik {NIK}", f"wamid.{uuid.uuid4().hex}"))
    assert reply.status_code == 200
    wait_until(lambda: any(m.get("to") == WA_ID for m in list(graph.sent)), 60, what="WhatsApp reply sent")
    # 4. The API straight: a complaint with a phone, a data export and deletion by phone, a bad phone.
    created = httpx.post(
        f"{stack.backend_url}/open311/v2/requests.json",
        data={
            "service_code": "jalan-rusak",
            "description": f"Jalan amblas. NIK {NIK}",
            "lat": "-6.2",
            "long": "106.8",
            "phone": PHONE_API,
            "first_name": "Sari",
        },
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    bad = httpx.post(
        f"{stack.backend_url}/open311/v2/requests.json",
        data={
            "service_code": "sampah",
            "description": "x",
            "lat": "-6.2",
            "long": "106.8",
            "phone": f"{PHONE_API} ext {NIK}",
        },
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert bad.status_code == 400  # Open311: validation errors are 400 (GeoReport v2)

    async def rights() -> None:
        async with CityClient(stack.backend_url, stack.env["BACKEND_API_KEY"], timeout=30) as city:
            export = await city.export_data(phone=PHONE_API)
            assert export.complaints, "the export finds the complaint filed with this phone"
            await city.delete_data(phone=PHONE_API)

    asyncio.run(rights())
    assert all_text(say(stack, web, "terima kasih"))

    # Give the processes a moment to flush their logs, then scan every file they wrote.
    files = stack_files(stack)
    assert any(p.name == "gateway.log" for p in files) and any(p.name == "rasa.log" for p in files)
    time.sleep(1.0)
    leaks = unmasked(stack) + unmasked(hc_stack)
    assert not leaks, "\n".join(leaks)
