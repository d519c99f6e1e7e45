"""Signals for the city's insight: which emergencies were answered (type, area) and which
questions the assistant could not answer (for the editors' gap report).

Each call schedules a fire-and-forget POST (`citybot.client.signals`) and returns at once: the
citizen's reply never waits for it and no failure here reaches the conversation. Texts are
masked (NIK, phone numbers, e-mail, self-introduced names) before they leave the process; no
sender id is sent, so a signal identifies no one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker

from actions.common.tracker import contact
from citybot.client.signals import SignalKind, record_signal_later
from citybot.nlu.emergency_patterns import DISASTER

log = logging.getLogger(__name__)
# Words that make a disaster a flood: the supervisors' "flood spike" is read from this type.
FLOOD_WORDS = ("banjir", "tanggul", "turap", "genangan", "kali", "sungai", "rob", "luapan", "meluap", "air")
# Messages that are not the question a citizen wanted answered (a handoff records the last one).
_NOT_QUESTIONS = {
    "bicara_petugas",
    "ya",
    "tidak",
    "salam",
    "terima_kasih",
    "selamat_tinggal",
    "batal",
    "lewati",
    "kirim_foto",
    "kirim_lokasi",
    "pilih_anonim",
    "pilih_jadwal",
}
_AREA_SLOTS = ("pengaduan_kelurahan", "hc_kelurahan")


def record(kind: SignalKind, tracker: Tracker, text: str = "", **fields: Any) -> None:
    """Record one signal in the background; never raises, never delays the reply."""
    try:
        channel, _ = contact(tracker)
        record_signal_later(kind, text, channel=channel, **fields)
    except Exception:  # insight is never worth a citizen's reply
        log.exception("signal %s not scheduled", kind)


def emergency_type(kind: str, text: str) -> str:
    """The emergency kind, with floods told apart from other disasters."""
    words = text.lower().split()
    if kind == DISASTER and any(word.strip(".,!?") in FLOOD_WORDS for word in words):
        return "banjir"
    return kind


def emergency_area(tracker: Tracker, text: str) -> str | None:
    """The kelurahan a slot already holds, else one named in the message itself."""
    for slot in _AREA_SLOTS:
        value = tracker.get_slot(slot)
        if isinstance(value, str) and value.strip():
            return value.strip()
    if not text or text.startswith("/"):
        return None
    try:
        from actions.pengaduan_tempat import find_area

        return find_area(text)
    except Exception:  # the area is a nice-to-have for the count, never a reason to fail
        log.exception("area lookup for an emergency signal failed")
        return None


def last_question(tracker: Tracker) -> str:
    """The citizen's last typed message that asked something (not a button, "ya" or "petugas")."""
    messages = [tracker.latest_message] + [e for e in reversed(tracker.events) if e.get("event") == "user"]
    for message in messages:
        text = str(message.get("text") or "").strip()
        intent = str((message.get("intent") or {}).get("name") or "")
        if text and not text.startswith("/") and intent not in _NOT_QUESTIONS:
            return text
    return ""


def feedback_was_asked(tracker: Tracker) -> bool:
    """The assistant's last message asked "Apakah ini menjawab pertanyaan Anda?": a "Belum" now
    rejects an answer actually shown (an unsure reply was already recorded as low confidence)."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action") == "utter_apakah_terjawab"
    return False


def doc_scores(items: Iterable[dict[str, Any]]) -> list[tuple[str, float]]:
    """(document id, retrieval score) of candidate dicts; a missing score reads as 0."""
    found: list[tuple[str, float]] = []
    for item in items:
        try:
            found.append((str(item["doc_id"]), float(item.get("skor") or 0.0)))
        except (KeyError, TypeError, ValueError):
            continue
    return found
