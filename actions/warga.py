"""Small helpers shared by the citizen-journey actions (HomeCare, catalogue, questions, handoff).

Nothing here creates heavy objects at import: the city client is opened per call and closed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from rasa_sdk import Tracker

from citybot.client import CityClient
from citybot.settings import get_settings

log = logging.getLogger(__name__)

# A conversation reaches the backend as (channel, address) = (the platform the gateway names in
# the message metadata, the Rasa sender id): the same pair the complaint actions file reports
# under, so "data saya" finds complaints and bookings alike. The sender id is already an opaque,
# keyed hash per platform user (see citybot/gateway/senders.py).
KNOWN_CHANNELS = frozenset({"telegram", "whatsapp", "web", "sms", "email", "phone", "agent"})
DEFAULT_CHANNEL = "web"  # `rasa shell` and story tests carry no metadata

# Messages that must leave any form: emergency, a question to answer, a request for a human.
INTERRUPTING_INTENTS = ("darurat", "tanya_layanan", "bicara_petugas")
_CANCEL = re.compile(
    r"(saya\s+|aku\s+)?(batal(kan|in)?|cancel|stop|berhenti|(ga|gak|gk|nggak|ngga|enggak|tidak|tdk|ndak)\s*jadi)"
    r"(\s+(aja|saja|deh|dulu|ya|kak|min|pesan|pesannya|pesanan|booking|bookingnya|homecare|kunjungan))*"
)


def subject_of(tracker: Tracker) -> tuple[str, str]:
    messages = [tracker.latest_message] + [e for e in reversed(tracker.events) if e.get("event") == "user"]
    for message in messages:
        metadata = message.get("metadata") or {}
        channel = str(metadata.get("channel") or "").lower() if isinstance(metadata, dict) else ""
        if channel in KNOWN_CHANNELS:
            return channel, tracker.sender_id
    return DEFAULT_CHANNEL, tracker.sender_id


@asynccontextmanager
async def city_client() -> AsyncIterator[CityClient]:
    client = CityClient()
    try:
        yield client
    finally:
        await client.aclose()


def response_text(domain: Mapping[str, Any], key: str, **values: Any) -> str:
    """The first text variant of a domain response, filled with `values`.

    Used only to build parts of a larger message (a list line, a prefilled WhatsApp text), so
    the wording still lives in the domain.
    """
    variants = domain.get("responses", {}).get(key) or []
    for variant in variants:
        if isinstance(variant, dict) and variant.get("text"):
            text = str(variant["text"])
            return text.format(**values) if values else text
    raise KeyError(f"response {key} missing from the domain")


def emergency_numbers() -> dict[str, str]:
    """The city's emergency lines, as the variables of the `utter_darurat*` responses."""
    s = get_settings()
    return {
        "nomor_darurat": s.emergency_number,
        "nomor_ambulans": s.ambulance_number,
        "nomor_damkar": s.fire_number,
        "nomor_polisi": s.police_number,
        "nomor_sar": s.sar_number,
        "nomor_sapa": s.women_child_protection_number,
        "kontak_bpbd": s.disaster_agency_contact,
    }


def latest_intent(tracker: Tracker) -> str:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or "")


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "").strip()


def wants_to_cancel(text: str) -> bool:
    """Only a message that is nothing but "batal" / "gak jadi deh": a complaint such as
    "batuk, ga jadi sembuh" must stay a complaint."""
    return _CANCEL.fullmatch(" ".join(text.lower().split()).strip(" .!")) is not None


async def run_bounded(func: Any, *args: Any, limit: float) -> Any:
    """Runs blocking `func` in a worker thread and gives up waiting after `limit` seconds."""
    async with asyncio.timeout(limit):
        return await asyncio.to_thread(func, *args)
