"""The real-message benchmark's reply classifier: which responses (bot/domain/*.yml, the
trained model, the gateway texts) a turn's replies are, and so the turn's outcome."""

from __future__ import annotations

import json
import re
import tarfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.real_outcomes import FRAGMENT, OUTCOME_PRIORITY, outcome_of_key

ROOT = Path(__file__).resolve().parent.parent

MODEL = ROOT / "models" / "asisten-kota.tar.gz"

# ---------------------------------------------------------------------------------------------
# Reply classifier
# ---------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Template:
    key: str
    regex: re.Pattern[str]
    literal: int  # characters of fixed text: the more, the more specific the match
    names: tuple[str, ...]
    anchors: tuple[str, ...]  # its fixed pieces: a cheap test before the regex


def compile_template(key: str, text: str) -> Template | None:
    """A response variant as a regex; `{name}` matches anything. None for a bare placeholder."""
    pieces = _PLACEHOLDER.split(text)
    literals, names = pieces[0::2], tuple(pieces[1::2])
    literal = sum(len(normalise(p)) for p in literals)
    if literal < 2:
        return None
    parts: list[str] = []
    for i, piece in enumerate(literals):
        parts.append(r"\s*".join(re.escape(word) for word in piece.split()))
        if i < len(names):
            parts.append(r"\s*(.*?)\s*")
    anchors = tuple(w for p in literals for w in p.split() if len(w) > 3)
    return Template(key, re.compile("".join(parts), re.DOTALL), literal, names, anchors)


def responses_from_domain_files(paths: Iterable[Path]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, variants in (data.get("responses") or {}).items():
            found[str(key)].extend(v for v in variants or [] if isinstance(v, dict))
    return dict(found)


def responses_from_model(model: Path) -> dict[str, list[dict[str, Any]]]:
    """The responses the trained model was built with (its domain is in metadata.json)."""
    if not model.exists():
        return {}
    with tarfile.open(model) as tar:
        for member in tar.getmembers():
            if member.name.rsplit("/", 1)[-1] == "metadata.json":
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                domain = json.load(handle).get("domain") or {}
                responses = domain.get("responses") or {}
                return {str(k): [v for v in vs if isinstance(v, dict)] for k, vs in responses.items()}
    return {}


def gateway_responses() -> dict[str, list[dict[str, Any]]]:
    from citybot.gateway import texts

    return {
        f"gateway:{name}": [{"text": value}]
        for name, value in vars(texts).items()
        if name.isupper() and isinstance(value, str)
    }


def default_responses(model: Path | None = MODEL) -> dict[str, list[dict[str, Any]]]:
    """bot/domain/*.yml, plus the trained model's own responses, plus the gateway's texts."""
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sources = [responses_from_domain_files(sorted((ROOT / "bot" / "domain").glob("*.yml"))), gateway_responses()]
    if model is not None:
        sources.append(responses_from_model(model))
    for source in sources:
        for key, variants in source.items():
            for variant in variants:
                if variant not in merged[key]:
                    merged[key].append(variant)
    return dict(merged)


@dataclass
class Classified:
    outcome: str
    keys: list[str] = field(default_factory=list)  # one per response; "?" = a reply that matched none
    unmatched: int = 0  # replies that matched no response variant
    unmapped: list[str] = field(default_factory=list)  # keys with no outcome in the tables
    source: str | None = None  # knowledge answer: the source title


# Rasa's REST channel sends a text response without buttons as one message per paragraph
# (`text.split("\n\n")`), so one response can arrive as several consecutive replies.
MAX_PARTS = 20


@dataclass(frozen=True)
class Match:
    key: str
    values: dict[str, str]
    literal: int


class ReplyClassifier:
    def __init__(self, responses: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        self.templates: list[Template] = []
        for key, variants in responses.items():
            if outcome_of_key(key) == FRAGMENT:
                continue
            for variant in variants:
                text = variant.get("text")
                if not text:
                    continue
                template = compile_template(key, str(text))
                if template is not None:
                    self.templates.append(template)
        self.templates.sort(key=lambda t: -t.literal)

    def match(self, text: str) -> Match | None:
        """The most specific response whose variant matches the whole text, with its values."""
        cleaned = normalise(text)
        for template in self.templates:  # most literal text first
            if not all(anchor in cleaned for anchor in template.anchors):
                continue
            found = template.regex.fullmatch(cleaned)
            if found:
                values = dict(zip(template.names, (normalise(g) for g in found.groups()), strict=True))
                return Match(template.key, values, template.literal)
        return None

    def segment(self, replies: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, Match | None]]:
        """Replies grouped into responses: fewest unmatched replies, then the most fixed text matched."""
        texts = [str(r.get("text") or "") for r in replies]
        buttons = [bool(r.get("buttons")) for r in replies]
        n = len(texts)
        best: list[tuple[int, int, list[tuple[int, int, Match | None]]] | None] = [None] * (n + 1)
        best[0] = (0, 0, [])

        def offer(j: int, candidate: tuple[int, int, list[tuple[int, int, Match | None]]]) -> None:
            current = best[j]
            if current is None or candidate[:2] < current[:2]:
                best[j] = candidate

        for i in range(n):
            state = best[i]
            if state is None:
                continue
            unmatched, negative_literal, segments = state
            offer(i + 1, (unmatched + 1, negative_literal, [*segments, (i, i + 1, None)]))
            for j in range(i + 1, min(n, i + MAX_PARTS) + 1):
                if texts[j - 1] == "" or (j - 1 > i and buttons[j - 2]):
                    break  # only the last part of a response may carry buttons
                found = self.match("\n\n".join(texts[i:j]))
                if found is not None:
                    offer(j, (unmatched, negative_literal - found.literal, [*segments, (i, j, found)]))
        final = best[n]
        assert final is not None
        return final[2]

    def classify(self, replies: Sequence[Mapping[str, Any]]) -> Classified:
        result = Classified(outcome="other")
        outcomes: set[str] = set()
        for _start, _end, found in self.segment(replies):
            if found is None:
                result.keys.append("?")
                result.unmatched += 1
                continue
            result.keys.append(found.key)
            outcome = outcome_of_key(found.key)
            if outcome is None:
                result.unmapped.append(found.key)
                continue
            outcomes.add(outcome)
            if outcome == "knowledge_answer" and "sumber" in found.values:
                result.source = found.values["sumber"]
        best = next((o for o in OUTCOME_PRIORITY if o in outcomes), None)
        if best is None or (best == "greeting_only" and (result.unmatched or result.unmapped)):
            best = "other"
        result.outcome = best
        return result
