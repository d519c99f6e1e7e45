"""Hand the conversation to a human agent, with a summary the agent can act on.

The gateway decides what happens: within office hours it queues the conversation for the agent
console ("queued"); outside them it records a callback request ("callback", next_open). The
summary holds what the citizen typed (agents need it) and is never logged here.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import signals
from actions.common.city import city_values
from actions.common.dates import waktu_lengkap
from actions.common.responses import response_text
from citybot.client import CityClientError
from citybot.client.gateway import GatewayClient

log = logging.getLogger(__name__)

LAST_MESSAGES = 6
# Bookkeeping slots that mean nothing to an agent.
_HIDDEN_SLOTS = {
    "requested_slot",
    "session_started_metadata",
    "homecare_kunci",
    "hc_jadwal_opsi",
    "jawaban_kandidat",
    "produk_pencarian",
    "produk_halaman",
    "hc_berhenti",
    "hc_booking_info",
}


def conversation_summary(tracker: Tracker, reason: str) -> str:
    """Agent-facing summary: why, what the citizen wanted, what was filled, the last messages."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    intents: list[str] = []
    for event in user_events:
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name and name not in intents and name not in {"bicara_petugas", "nlu_fallback"}:
            intents.append(name)
    filled = {
        key: value
        for key, value in tracker.current_slot_values().items()
        if value not in (None, "", []) and key not in _HIDDEN_SLOTS
    }
    lines = [f"Alasan: {reason}"]
    if tracker.active_loop.get("name"):
        lines.append(f"Formulir yang sedang diisi: {tracker.active_loop['name']}")
    lines.append("Kebutuhan warga (urutan): " + (", ".join(intents[-5:]) if intents else "-"))
    if filled:
        lines.append("Data yang sudah diisi:")
        lines += [f"- {key}: {value}" for key, value in sorted(filled.items())]
    texts = [str(e.get("text") or "") for e in user_events if e.get("text")][-LAST_MESSAGES:]
    if texts:
        lines.append("Pesan terakhir warga:")
        lines += [f"> {text[:300]}" for text in texts]
    return "\n".join(lines)


def next_open_label(value: Any, tz_name: str) -> str | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return waktu_lengkap(moment, tz_name)


class ActionSerahkanKePetugas(Action):
    def name(self) -> str:
        return "action_serahkan_ke_petugas"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        failed = intent == "nlu_fallback"
        reason_key = "utter_petugas_alasan_gagal_paham" if failed else "utter_petugas_alasan_permintaan"
        reason = response_text(domain, reason_key)
        # What the citizen last asked is what the assistant could not settle (masked, no sender).
        signals.record("handoff", tracker, signals.last_question(tracker))
        events: list[EventType] = []
        if tracker.active_loop.get("name"):
            # The agent takes over from here; the form must not ask again later.
            events = [SlotSet("requested_slot", None), ActiveLoop(None)]
        try:
            answer = await GatewayClient().handoff(tracker.sender_id, conversation_summary(tracker, reason), reason)
        except CityClientError as exc:
            log.warning("handoff failed: %s", type(exc).__name__)
            dispatcher.utter_message(response="utter_petugas_gagal")
            return events
        status = answer.get("status")
        log.info("handoff: %s", status)
        if status == "callback":
            label = next_open_label(answer.get("next_open"), city_values().timezone)
            if label:
                dispatcher.utter_message(response="utter_petugas_di_luar_jam", buka=label)
            else:
                dispatcher.utter_message(response="utter_petugas_di_luar_jam_tanpa_waktu")
        else:
            dispatcher.utter_message(response="utter_petugas_tersambung")
        return events
