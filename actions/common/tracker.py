"""What the tracker says about the latest message and about who is talking."""

from __future__ import annotations

import math
from typing import Any

from rasa_sdk import Tracker

from actions.common.city import DEFAULT_CHANNEL, KNOWN_CHANNELS

# Indonesia's bounding box: a swapped latitude/longitude lands outside it.
_LAT_RANGE = (-11.5, 6.5)
_LONG_RANGE = (94.0, 141.5)


def contact(tracker: Tracker) -> tuple[str, str]:
    """The citizen's (channel, address): the platform the gateway names in the message metadata
    and the Rasa sender id.

    Complaints, bookings and "data saya" are all filed under this pair. The sender id is
    already an opaque, keyed hash per platform user (see citybot/gateway/senders.py). The latest
    message with a known channel decides; `rasa shell` and story tests carry no metadata and get
    the neutral default.
    """
    messages = [tracker.latest_message] + [e for e in reversed(tracker.events) if e.get("event") == "user"]
    for message in messages:
        metadata = message.get("metadata") or {}
        channel = str(metadata.get("channel") or "").lower() if isinstance(metadata, dict) else ""
        if channel in KNOWN_CHANNELS:
            return channel, tracker.sender_id
    return DEFAULT_CHANNEL, tracker.sender_id


def latest_intent(tracker: Tracker) -> str:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or "")


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "").strip()


def entity_values(tracker: Tracker, entity: str) -> list[Any]:
    """Every value of `entity` in the latest message, in order."""
    return [e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]


def coordinates(tracker: Tracker) -> tuple[float, float] | None:
    """The pin of the latest message (latitude/longitude entities), if it lies in Indonesia."""
    lats = entity_values(tracker, "latitude")
    longs = entity_values(tracker, "longitude")
    if not lats or not longs:
        return None
    try:
        lat, long = float(lats[-1]), float(longs[-1])
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(long)):
        return None
    if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LONG_RANGE[0] <= long <= _LONG_RANGE[1]):
        return None
    return lat, long
