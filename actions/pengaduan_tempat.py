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


# A street, alley or landmark named in a sentence: "di jl kenari", "TPS Jl. Cempaka Putih Tengah 27".
_PLACE_WORDS = (
    r"jl|jln|jalan|gg|gang|komplek|kompleks|komp|perumahan|perum|blok|pasar|terminal|stasiun|halte|"
    r"tps|sdn|smpn|sman|masjid|musholla|mushola|gereja|puskesmas|rs|rsud|taman|kali|sungai|jembatan|flyover|"
    r"underpass|pertigaan|perempatan|bundaran|rt|rw|kantor|depan|dekat|deket|samping|sebelah|belakang|seberang"
)
_STREET = re.compile(
    r"\b(?:jl|jln|jalan|gg|gang)\b\.?\s+(?!(?:depan|rusak|berlubang|bolong|rumah|di|yg|yang|ke|ini|itu|sini|"
    r"menuju|masuk|utama|raya|kaki|tol|nya|sudah|udah|ada|banyak|jadi|dan|sy|saya|aye|gue|gw|kami|kita|mati|"
    r"lubang|licin|macet|tergenang|banjir|retak|amblas|ambles|gelap|sempit|kecil|besar|umum|kampung|kaki)\b)"
    r"([a-z0-9][\w.'/-]*(?:\s+(?!(?:yang|yg|sudah|udah|sdh|ada|bolong|rusak|berlubang|banjir|mati|kok|dan|tolong|"
    r"mohon|min|pak|bu|sejak|dari|tdk|tidak|gak|ga|belum|blm)\b)[\w.'/-]+){0,5})",
    re.IGNORECASE,
)
_PLACE_CUE = re.compile(rf"\b({_PLACE_WORDS})\b", re.IGNORECASE)
_NOT_A_PLACE = re.compile(
    r"^(ya|iya|iye|ok|oke|setuju|boleh|tidak|gak|ga|nggak|bukan|sudah|udah|belum|terima kasih|makasih|kirim|"
    r"batal|lewati|skip|anonim)\b",
    re.IGNORECASE,
)


_STOP = (
    r"yang|yg|sudah|udah|sdh|ada|bolong|rusak|berlubang|banjir|mati|kok|dan|tolong|mohon|min|pak|bu|sejak|dari|"
    r"tdk|tidak|gak|ga|belum|blm|dimintai|dimintain|diminta|minta|sama|sm|oleh|karena|krn|untuk|buat|di|ke"
)
# A public building or landmark named with its name: "kantor kelurahan petojo utara", "pasar kenari".
_LANDMARK = re.compile(
    r"\b(?:kantor (?:kelurahan|kecamatan|lurah|camat|dinas|walikota|wali kota)|puskesmas|pasar|terminal|stasiun|"
    rf"halte|sdn|smpn|sman|masjid|taman|rsud)\s+(?!(?:{_STOP})\b)[a-z0-9][\w'-]*(?:\s+(?!(?:{_STOP})\b)[\w'-]+){{0,3}}",
    re.IGNORECASE,
)


def street_in(text: str) -> str | None:
    """The street, alley or named landmark a sentence names ("Jl. Kenari Raya 5"), or None."""
    match = _STREET.search(text) or _LANDMARK.search(text)
    if not match:
        return None
    phrase = text[match.start() : match.end()].strip(" ,.")
    return phrase if len(phrase.split()) >= 2 else None


def looks_like_place(text: str) -> bool:
    """A typed location names a street, landmark or area; "ya, saya setuju" does not."""
    clean = " ".join(text.split()).strip(" .,!")
    if not clean or (_NOT_A_PLACE.match(clean) and not _PLACE_CUE.search(clean)):
        return False
    return bool(
        _PLACE_CUE.search(clean)
        or find_area(clean)
        or street_in(clean)
        or re.search(r"\d", clean)
        or (len(clean.split()) >= 2 and clean[:1].isupper())
    )
