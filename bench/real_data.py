"""The real-message benchmark's data: labelled messages, the dev/held-out split and the recorded
label disagreements (bench/real_messages.py)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.real_outcomes import LABELS


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    label: str


def load_messages(path: Path) -> list[Message]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    messages = []
    for item in items:
        label = str(item["label"])
        if label not in LABELS:
            raise ValueError(f"{path}: {item.get('id')}: unknown label {label!r}")
        messages.append(Message(str(item["id"]), str(item["text"]), label))
    ids = [m.id for m in messages]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate ids")
    return messages


def select_split(messages: list[Message], split: str, split_file: Path) -> list[Message]:
    if split == "all":
        return messages
    splits = yaml.safe_load(split_file.read_text(encoding="utf-8")) or {}
    if split not in splits:
        raise ValueError(f"{split_file} has no split {split!r} (has: {', '.join(splits)})")
    wanted = {str(i) for i in splits[split]}
    chosen = [m for m in messages if m.id in wanted]
    missing = wanted - {m.id for m in chosen}
    if missing:
        print(f"warning: {len(missing)} ids of split {split!r} are not in the messages file", file=sys.stderr)
    return chosen


def load_disagreements(path: Path) -> dict[str, str] | None:
    """Our label where we disagree with the annotator (id -> label); None when the file is absent."""
    if not path.exists():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping id -> label")
    for ident, label in data.items():
        if label not in LABELS:
            raise ValueError(f"{path}: {ident}: unknown label {label!r}")
    return {str(k): str(v) for k, v in data.items()}
