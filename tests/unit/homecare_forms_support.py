"""What the HomeCare form tests share: the merged domain, trackers as Rasa sends them, running an
action or one slot validation, and reading the real backend they book in."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from citybot.backend.db import Database
from citybot.backend.models import Booking, Puskesmas
from citybot.client import CityClient
from citybot.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
SENDER = "web-warga-hc-1"


def _domain() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


DOMAIN = _domain()


@pytest.fixture(autouse=True)
def makassar(monkeypatch: pytest.MonkeyPatch) -> None:
    """HomeCare runs in Makassar; elsewhere the forms never start (tests/unit/test_city_services.py)."""
    monkeypatch.setenv("CITY_PROFILE", "makassar")
    get_settings.cache_clear()


def answer(
    slot: str,
    value: Any,
    *,
    intent: str = "nlu_fallback",
    slots: dict[str, Any] | None = None,
    loop: str = "homecare_form",
    sender: str = SENDER,
) -> Tracker:
    """The tracker after the citizen answered `slot` with `value` inside `loop`."""
    latest = {
        "intent": {"name": intent, "confidence": 0.95},
        "entities": [],
        "text": str(value),
        "metadata": {"channel": "web"},
    }
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": str(value), "parse_data": latest, "metadata": {"channel": "web"}},
        {"event": "slot", "name": slot, "value": value},
    ]
    current = {**(slots or {}), slot: value, "requested_slot": slot}
    return Tracker(sender, current, latest, events, False, None, {"name": loop}, "action_listen")


def state(slots: dict[str, Any], sender: str = SENDER, text: str = "/ya") -> Tracker:
    """The tracker an action after the form sees."""
    latest = {"intent": {"name": "ya", "confidence": 1.0}, "entities": [], "text": text, "metadata": {"channel": "web"}}
    return Tracker(sender, slots, latest, [], False, None, {}, "action_listen")


def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[str]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, [m["response"] for m in dispatcher.messages]


def validate(form: Any, slot: str, tracker: Tracker) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    value = tracker.get_slot(slot)
    result = asyncio.run(getattr(form, f"validate_{slot}")(value, dispatcher, tracker, DOMAIN))
    return result, [m["response"] for m in dispatcher.messages]


def kassi_kassi(db: Database) -> Puskesmas:
    with db.read() as session:
        found = session.scalar(select(Puskesmas).where(Puskesmas.code == "MKS-KSK"))
        assert found is not None
        session.expunge(found)
        return found


def booked_codes(db: Database, sender: str) -> list[str]:
    with db.read() as session:
        rows = session.scalars(select(Booking).where(Booking.channel_address == sender))
        return sorted(b.code for b in rows)


async def backend_booking(code: str) -> Any:
    async with CityClient(attempts=1) as city:
        return await city.get_booking(code)
