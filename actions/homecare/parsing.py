"""Reading HomeCare answers: ages, booking codes, kelurahan names and the visit slot chosen."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.types import DomainDict

from actions.common.dates import HARI, local, waktu_lengkap, waktu_singkat
from actions.common.responses import response_text
from citybot.client import Slot

MAX_BUTTONS = 8
KELURAHAN_IN_ADDRESS = re.compile(
    r"\bkel(?:urahan)?\.?\s+([A-Za-z][A-Za-z' -]{2,30}?)\s*(?=[,.;]|$|\b(?:kec|kecamatan|rt|rw|dekat|samping|no)\b)",
    re.IGNORECASE,
)
_CODE = re.compile(r"\bHC[\s-]?([A-Z2-9]{6})\b", re.IGNORECASE)
_ORDINALS = {
    "pertama": 1,
    "satu": 1,
    "kedua": 2,
    "dua": 2,
    "ketiga": 3,
    "tiga": 3,
    "keempat": 4,
    "empat": 4,
    "kelima": 5,
    "lima": 5,
    "keenam": 6,
    "enam": 6,
    "ketujuh": 7,
    "tujuh": 7,
    "kedelapan": 8,
}


def parse_age(text: str) -> int | None:
    match = re.search(r"(\d{1,3})\s*(bulan|bln|bl|minggu|hari)?", text.lower())
    if not match:
        return None
    value = int(match.group(1))
    if match.group(2):
        return 0  # infants: the backend stores whole years
    return value if 0 <= value <= 120 else None


def normalise_code(text: Any) -> str | None:
    # Entities from button payloads can be forged with any JSON type (true, 42, {...}).
    match = _CODE.search(text if isinstance(text, str) else "")
    return f"HC-{match.group(1).upper()}" if match else None


def kelurahan_name(value: Any) -> str:
    """ "Kel. Karuwisi ji" -> "Karuwisi": the name without prefixes and polite tails."""
    name = re.sub(
        r"^(kelurahan|kel\.?|kec\.?|kecamatan|di)\s+", "", " ".join(str(value or "").split()), flags=re.IGNORECASE
    ).strip(" .")
    # Makassar particles and polite tails: "Karuwisi ji", "kassi kassi mi", "Tamalanrea ki'".
    return re.sub(r"(\s+(ji|mi|di'?|ki'?|ka|ko|ya|kak|pak|bu|dek|nah))+$", "", name, flags=re.IGNORECASE).strip(" .")


def slot_options(slots: list[Slot], tz_name: str) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "label": waktu_singkat(s.start, s.end, tz_name),
            "lengkap": waktu_lengkap(s.start, tz_name),
            "hari": local(s.start, tz_name).weekday(),
            "jam": local(s.start, tz_name).hour,
            "tanggal": local(s.start, tz_name).day,
        }
        for s in slots[:MAX_BUTTONS]
    ]


def match_option(value: Any, options: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The offered slot the citizen meant: a button's id, "yang kedua", or "senin jam 10"."""
    text = str(value or "").strip().lower()
    by_id = {str(o["id"]): o for o in options}
    if text in by_id:
        return by_id[text]
    for word, index in _ORDINALS.items():
        if re.search(rf"\b{word}\b", text) and index <= len(options):
            return options[index - 1]
    candidates = list(options)
    days = [i for i, name in enumerate(HARI) if name.lower() in text or name.lower()[:3] + " " in text + " "]
    if days:
        candidates = [o for o in candidates if o["hari"] in days]
    hour = re.search(r"(?:jam|pukul|pkl)?\s*(\d{1,2})(?:[.:]\d{2})?\s*(?:wita|wib|pagi|siang|sore)?\b", text)
    if hour and re.search(r"jam|pukul|pkl|[.:]\d{2}|pagi|siang|sore", text):
        h = int(hour.group(1))
        if "sore" in text and h < 12:
            h += 12
        if "siang" in text and h < 6:
            h += 12
        candidates = [o for o in candidates if o["jam"] == h]
    elif not days:
        number = re.fullmatch(r"(\d)", text)
        if number and 1 <= int(number.group(1)) <= len(options):
            return options[int(number.group(1)) - 1]
        return None
    return candidates[0] if len(candidates) >= 1 and (days or hour) else None


def slot_buttons(options: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"title": o["label"], "payload": f'/pilih_jadwal{{"jadwal": "{o["id"]}"}}'} for o in options]


def age_label(domain: DomainDict, age: Any) -> str:
    if isinstance(age, int) and age < 1:
        return response_text(domain, "utter_hc_umur_bayi")
    return response_text(domain, "utter_hc_umur_label", umur=age)
