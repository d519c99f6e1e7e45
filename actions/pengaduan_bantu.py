"""Shared helpers of the complaint actions: the draft's slots, which category, idempotency, targets."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import json
import logging
import re
import time
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.city import city_client, city_values
from actions.common.dates import tanggal_singkat
from actions.common.tracker import contact, entity_values
from citybot.client import BackendUnavailable, CityClientError, Complaint, Service
from citybot.settings import ROOT

logger = logging.getLogger(__name__)

# What the citizen told us for one report; kept when the form is paused (emergency, "batal")
# so "lanjutkan laporan" can pick it up again.
DRAFT_SLOTS = (
    "pengaduan_id",
    "pengaduan_kategori",
    "pengaduan_kategori_nama",
    "pengaduan_lokasi",
    "pengaduan_lat",
    "pengaduan_long",
    "pengaduan_kelurahan",
    "pengaduan_deskripsi",
    "pengaduan_foto",
    "pengaduan_identitas",
    "pengaduan_persetujuan",
    "pengaduan_nama",
    "pengaduan_telepon",
)
# Every slot of one complaint draft: its answers and the form's own progress; cleared when it is
# sent, supported or cancelled.
FORM_SLOTS = (
    *DRAFT_SLOTS,
    "pengaduan_duplikat",
    "pengaduan_duplikat_info",
    "pengaduan_dukung",
    "pengaduan_bagian_diubah",
    "pengaduan_konfirmasi",
    "pengaduan_gagal",
)
DRAFT_KEEP_SECONDS = 24 * 3600
NO_PHOTO = "tidak_ada"
TICKET = re.compile(r"\b([A-Za-z]{2,5}-20\d{2}-\d{6})\b")
_SERVICE_TTL_SECONDS = 300.0
_services_cache: tuple[float, list[Service]] | None = None

# Used only when the backend cannot be reached: the reference backend's codes and names, so a
# category recognised by the NLU model can still be shown in the summary and queued.
FALLBACK_SERVICES = {
    "jalan-rusak": "Jalan Rusak / Berlubang",
    "banjir": "Banjir / Genangan",
    "sampah": "Sampah Menumpuk",
    "lampu-jalan": "Lampu Jalan Mati",
    "pohon-tumbang": "Pohon Tumbang / Rawan Tumbang",
    "saluran-tersumbat": "Saluran Air Tersumbat",
    "parkir-liar": "Parkir Liar",
    "pkl": "Pedagang Kaki Lima",
    "pungli": "Pungutan Liar",
    "fasilitas-umum": "Fasilitas Umum Rusak",
    "kebisingan": "Kebisingan",
    "air-bersih": "Air Bersih Tidak Mengalir",
    "sarang-nyamuk": "Sarang Nyamuk / DBD",
    "bangunan-liar": "Bangunan Tanpa Izin",
}


def ticket_in(tracker: Tracker) -> str | None:
    for value in entity_values(tracker, "nomor_tiket"):
        if isinstance(value, str) and TICKET.fullmatch(value.strip()):
            return value.strip().upper()
    match = TICKET.search(tracker.latest_message.get("text") or "")
    return match.group(1).upper() if match else None


def reset_form() -> list[SlotSet]:
    return [SlotSet(name, None) for name in FORM_SLOTS] + [SlotSet("pengaduan_ditunda", None)]


def has_draft(tracker: Tracker) -> bool:
    """A report was begun and holds something the citizen said (category, place or story)."""
    slot = tracker.get_slot
    return bool(slot("pengaduan_id")) and any(
        slot(name) for name in ("pengaduan_kategori", "pengaduan_lokasi", "pengaduan_lat", "pengaduan_deskripsi")
    )


def pause_form() -> list[SlotSet]:
    """Keeps the draft's answers, forgets the form's progress (confirmation, duplicate offer)."""
    events = [SlotSet(name, None) for name in FORM_SLOTS if name not in DRAFT_SLOTS]
    return [*events, SlotSet("pengaduan_ditunda", time.time())]


def paused_draft(tracker: Tracker) -> bool:
    """A draft paused (emergency, "batal") less than a day ago."""
    paused = tracker.get_slot("pengaduan_ditunda")
    return has_draft(tracker) and isinstance(paused, (int, float)) and time.time() - paused < DRAFT_KEEP_SECONDS


def idempotency_key(sender: str, day: dt.date, payload: dict[str, Any]) -> str:
    """One key per conversation and report content per day, so a retry never files twice.

    A retried "kirim", a re-delivered message, an outbox redelivery or the whole form replayed
    with the same answers all give the same key, and the backend answers with the ticket it
    already filed. A report that differs in any field is a new request (the backend refuses a
    reused key with a different body), and the day keeps a recurrence weeks later from being
    answered with an old, closed ticket.
    """
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(f"{sender}\n{day.isoformat()}\n{canonical}".encode()).hexdigest()
    return f"pengaduan-{digest[:48]}"


def mask_phone(phone: str | None) -> str:
    """+6281234567890 -> +62812****890; for logs and read-backs."""
    if not phone:
        return ""
    digits = phone.strip()
    return digits[:6] + "****" + digits[-3:] if len(digits) > 9 else "****"


_THANKS = re.compile(r"\b(makasih|makasi|mksh|thx|thanks|terima ?kasih|trims|tengkyu|suwun|matur nuwun)\b", re.I)


def thanks_in(text: str) -> bool:
    """ "makasih min, kira2 kapan dibenerin?": the thanks deserves a word before the answer."""
    return bool(_THANKS.search(text[:300]))


def tell_target(dispatcher: CollectingDispatcher, complaint: Complaint, now: dt.datetime | None = None) -> None:
    """The agency's target for acting on the report, in the citizen's words: "kapan dibenerin?"."""
    expected = complaint.expected_datetime
    if expected is None:
        return
    days = max(1, (expected.date() - complaint.requested_datetime.date()).days)
    date = tanggal_singkat(expected.date())
    agency = complaint.agency_responsible or "dinas terkait"
    if (now or dt.datetime.now(expected.tzinfo)) > expected:
        dispatcher.utter_message(
            response="utter_pengaduan_target_lewat", instansi=agency, tanggal=date, tiket=complaint.ticket
        )
    else:
        dispatcher.utter_message(
            response="utter_pengaduan_target", instansi=agency, hari=days, tanggal=date, tiket=complaint.ticket
        )


# --- categories ------------------------------------------------------------------------------------


async def services() -> list[Service]:
    """The backend's complaint categories, cached for five minutes; [] when it is unreachable."""
    global _services_cache
    now = time.monotonic()
    if _services_cache and now - _services_cache[0] < _SERVICE_TTL_SECONDS:
        return _services_cache[1]
    try:
        async with city_client(attempts=1) as city:
            found = await city.list_services(city_values().jurisdiction_id)
    except CityClientError as exc:
        logger.warning("complaint categories unavailable: %s", type(exc).__name__)
        return _services_cache[1] if _services_cache else []
    _services_cache = (now, found)
    return found


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", text.lower())).strip()


def match_service(text: str, available: list[Service], fuzzy: bool = True) -> tuple[str, str] | None:
    """(code, name) of the category `text` names: exact code, then keywords, then close words.

    `fuzzy=False` skips the typo match: a whole first message has too many words for it.
    """
    key = _norm(text)
    if not key:
        return None
    if not available:
        code = text.strip().lower()
        return (code, FALLBACK_SERVICES[code]) if code in FALLBACK_SERVICES else None
    for service in available:
        if text.strip().lower() == service.service_code.lower():
            return service.service_code, service.service_name
    padded = f" {key} "
    best: tuple[int, Service] | None = None
    synonyms = category_synonyms()
    for service in available:
        phrases = [
            *service.keywords,
            service.service_name,
            service.service_code.replace("-", " "),
            *synonyms.get(service.service_code, ()),
        ]
        for phrase in phrases:
            p = _norm(phrase)
            if p and f" {p} " in padded and (best is None or len(p) > best[0]):
                best = (len(p), service)
    if best:
        return best[1].service_code, best[1].service_name
    if not fuzzy:
        return None
    # Typos ("smpah", "bnjir"): compare each word with the single-word keywords.
    words = key.split()
    for service in available:
        singles = {_norm(k) for k in service.keywords if " " not in _norm(k)} | {_norm(service.service_code)}
        for word in words:
            if len(word) >= 4 and difflib.get_close_matches(word, list(singles), n=1, cutoff=0.8):
                return service.service_code, service.service_name
    return None


@functools.lru_cache(maxsize=1)
def category_synonyms() -> dict[str, tuple[str, ...]]:
    """Citizens' words for each category ("bolong", "got mampet"), from the NLU synonyms, so the
    model and the form's text match learn the same vocabulary."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "nlu_data").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if isinstance(block, dict) and "synonym" in block:
                lines = str(block.get("examples", "")).splitlines()
                words = [line.strip().removeprefix("- ").strip() for line in lines]
                found.setdefault(str(block["synonym"]), []).extend(w for w in words if w)
    return {code: tuple(words) for code, words in found.items()}


def service_name(code: str, available: list[Service]) -> str:
    for service in available:
        if service.service_code == code:
            return service.service_name
    return FALLBACK_SERVICES.get(code, code)


async def backend_call_failed(exc: Exception) -> None:
    """One log line per failed call, without any personal data."""
    level = logging.INFO if isinstance(exc, BackendUnavailable) else logging.WARNING
    logger.log(level, "city backend call failed: %s", type(exc).__name__)


async def duplicate_offer(tracker: Tracker, dispatcher: CollectingDispatcher, values: dict[str, Any]) -> dict[str, Any]:
    """Offer to support an open report of the same kind nearby instead of filing another."""
    merged = {**tracker.slots, **values}
    code = merged.get("pengaduan_kategori")
    lat, long = merged.get("pengaduan_lat"), merged.get("pengaduan_long")
    kelurahan, address = merged.get("pengaduan_kelurahan"), merged.get("pengaduan_lokasi")
    if not code or (lat is None and not (kelurahan and address)):
        return {}
    channel, sender = contact(tracker)
    try:
        async with city_client(attempts=1) as city:
            found = await city.find_duplicates(
                code, lat=lat, long=long, kelurahan=kelurahan, address=None if lat is not None else address
            )
            if not found:
                return {"pengaduan_duplikat": None, "pengaduan_duplikat_info": None, "pengaduan_dukung": None}
            mine = {c.ticket for c in await city.complaints_of_reporter(channel, sender)}
    except Exception as exc:  # the check is a courtesy; never block a report on it
        await backend_call_failed(exc)
        return {}
    first = found[0].complaint
    if first.ticket in mine:
        dispatcher.utter_message(
            response="utter_pengaduan_duplikat_milik_sendiri", tiket=first.ticket, status=first.status_label
        )
        return {"pengaduan_duplikat": None, "pengaduan_duplikat_info": None, "pengaduan_dukung": None}
    where = first.address or first.kelurahan or "lokasi berdekatan"
    if found[0].distance_m is not None:
        where = f"{where}, ±{round(found[0].distance_m)} m dari lokasi Anda"
    info = f"{first.service_name} di {where}, status {first.status_label}"
    return {"pengaduan_duplikat": first.ticket, "pengaduan_duplikat_info": info, "pengaduan_dukung": None}
