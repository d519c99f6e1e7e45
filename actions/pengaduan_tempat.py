"""Recognising kelurahan/desa and kecamatan names in what a citizen types.

Reads the same lookup tables the NLU model is trained with (nlu_data/lookups/kelurahan.yml),
so adding a kelurahan there teaches both the model and the form.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path

import yaml

from citybot.settings import ROOT

LOOKUP_FILE = ROOT / "nlu_data" / "lookups" / "kelurahan.yml"
# "kel. menteng", "kelurahan menteng", "desa kemiren", "kec. tebet"
_MARKER = re.compile(r"\b(?:kelurahan|kel|desa|ds|kecamatan|kec)\b\.?\s*([a-z' -]{3,40})", re.I)
_NON_WORD = re.compile(r"[^a-z0-9' -]+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    text = _NON_WORD.sub(" ", text.lower().replace("-", " "))
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=4)
def _names(path: Path = LOOKUP_FILE) -> dict[str, str]:
    """normalised name -> display name, kelurahan first so they win over same-named kecamatan."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names: dict[str, str] = {}
    for block in data.get("nlu", []):
        if "lookup" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            name = line.strip().removeprefix("- ").strip()
            if name:
                names.setdefault(normalise(name), name)
    return names


def canonical_area(text: str, cutoff: float = 0.86) -> str | None:
    """The known kelurahan/kecamatan that `text` names (tolerating small typos), or None."""
    key = normalise(re.sub(r"^\s*(kel(urahan)?|desa|kec(amatan)?)\.?\s+", "", text, flags=re.I))
    if not key:
        return None
    names = _names()
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=cutoff)
    return names[close[0]] if close else None


def find_area(text: str) -> str | None:
    """A kelurahan/kecamatan mentioned anywhere in a free-text location."""
    for match in _MARKER.finditer(text):
        words = normalise(match.group(1)).split()
        # Try the longest run of words after the marker first: "kel. kampung melayu, dekat ..."
        for size in range(min(4, len(words)), 0, -1):
            found = canonical_area(" ".join(words[:size]))
            if found:
                return found
    haystack = f" {normalise(text)} "
    best: str | None = None
    for key, name in _names().items():
        if f" {key} " in haystack and (best is None or len(key) > len(normalise(best))):
            best = name
    return best


def plausible_area_name(text: str) -> str | None:
    """An unknown but plausible place name (letters, up to four words), title-cased."""
    cleaned = re.sub(r"^\s*(kel(urahan)?|desa|kec(amatan)?)\.?\s+", "", text.strip(), flags=re.I)
    cleaned = _SPACES.sub(" ", cleaned).strip(" .,")
    if not re.fullmatch(r"[A-Za-z][A-Za-z' -]{2,39}", cleaned) or len(cleaned.split()) > 4:
        return None
    return cleaned.title()
