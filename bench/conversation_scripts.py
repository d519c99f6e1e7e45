"""Reads the scripted citizens of bench/conversations.yml into `Conversation`s (the format is
described at the top of that file)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bench.conversation_goals import (
    Aside,
    Conversation,
    Milestone,
    m_agenda_done,
    m_answered,
    m_booked,
    m_cancelled,
    m_emergency,
    m_kind,
    m_products,
    m_reassured,
    m_ticket,
)
from bench.conversation_replies import Move

SCRIPTS = Path(__file__).resolve().with_name("conversations.yml")

PLAIN_MILESTONES: dict[str, Callable[[], Milestone]] = {
    "ticket": m_ticket,
    "cancelled": m_cancelled,
    "reassured": m_reassured,
    "booked": m_booked,
    "agenda_done": m_agenda_done,
}


def move(spec: str | Mapping[str, Any]) -> Move:
    if isinstance(spec, str):
        return Move(text=spec)
    tells = frozenset(spec.get("tells", ()))
    if "button" in spec:
        return Move(payload=spec["button"], title=spec.get("title"))
    if "location" in spec:
        lat, lon = spec["location"]
        return Move(location=(float(lat), float(lon)), tells=tells)
    return Move(text=spec["text"], tells=tells)


def moves(spec: str | Mapping[str, Any] | list[Any]) -> Move | tuple[Move, ...]:
    return tuple(move(s) for s in spec) if isinstance(spec, list) else move(spec)


def milestone(spec: str | Mapping[str, Any]) -> Milestone:
    if isinstance(spec, str):
        return PLAIN_MILESTONES[spec]()
    if "emergency" in spec:
        return m_emergency(str(spec["emergency"]))
    if "answered" in spec:
        return m_answered(groups(spec["answered"]))
    if "kind" in spec:
        return m_kind(spec["kind"], spec.get("name"))
    if "products" in spec:
        return m_products(spec["products"], int(spec["max_price"]))
    raise ValueError(f"unknown milestone {spec!r}")


def groups(spec: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group) for group in spec)


def aside(spec: Mapping[str, Any]) -> Aside:
    retry = spec.get("retry")
    return Aside(tuple(spec["when"]), move(spec["say"]), move(retry) if retry is not None else None)


# Script key -> how its YAML value becomes the `Conversation` field (other keys are taken as they are).
FIELDS: dict[str, Callable[[Any], Any]] = {
    "opening": move,
    "told": frozenset,
    "flows": frozenset,
    "milestones": lambda spec: tuple(milestone(s) for s in spec),
    "facts": lambda spec: {kind: moves(s) for kind, s in spec.items()},
    "press": dict,
    "asides": lambda spec: tuple(aside(s) for s in spec),
    "agenda": lambda spec: tuple(move(s) for s in spec),
    "follow_ups": lambda spec: tuple(move(s) for s in spec),
    "rephrase": lambda spec: tuple(move(s) for s in spec),
    "keywords": groups,
}


def conversation(spec: Mapping[str, Any]) -> Conversation:
    return Conversation(**{key: FIELDS.get(key, lambda v: v)(value) for key, value in spec.items()})


def load_conversations(path: Path = SCRIPTS) -> tuple[Conversation, ...]:
    return tuple(conversation(spec) for spec in yaml.safe_load(path.read_text(encoding="utf-8")))


CONVERSATIONS = load_conversations()
