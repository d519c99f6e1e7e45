"""Emergency first, everywhere: a message about danger to life gets the right number at once.

The reply depends on the kind of emergency (medical, fire, flood/disaster, crime, missing or
drowning persons), with the city's own numbers from settings. Whatever form is active is
switched off. A HomeCare booking is dropped (no booking, no personal data in an emergency);
a complaint draft is kept and offered again, and for a fire or a disaster the message itself
becomes a draft report the citizen can send once safe (what PetaBencana does for floods).
"""

from __future__ import annotations

import time
import uuid

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import signals
from actions.common.city import city_values
from actions.common.tracker import latest_text
from actions.homecare.state import reset_events
from actions.pengaduan_bantu import FALLBACK_SERVICES, has_draft, pause_form
from actions.pengaduan_jawaban import clean_description
from citybot import metrics
from citybot.nlu.emergency_patterns import CRIME, CRISIS, DISASTER, FIRE, GENERAL, MEDICAL, MISSING, kind_of

RESPONSES = {
    MEDICAL: "utter_darurat",
    FIRE: "utter_darurat_kebakaran",
    DISASTER: "utter_darurat_bencana",
    CRIME: "utter_darurat_kejahatan",
    MISSING: "utter_darurat_sar",
    GENERAL: "utter_darurat_umum",
    CRISIS: "utter_darurat_krisis",
}
# Kinds a city service follows up after the rescue (drainage, pumps, dykes, fire safety).
REPORTABLE = (FIRE, DISASTER)
_FLOOD_WORDS = ("banjir", "air", "tanggul", "turap", "genangan", "kali", "sungai")


class ActionDarurat(Action):
    def name(self) -> str:
        return "action_darurat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = latest_text(tracker)
        in_homecare = tracker.active_loop.get("name") == "homecare_form"
        kind = MEDICAL if text.startswith("/") else kind_of(text)
        metrics.EMERGENCIES.labels(kind).inc()
        dispatcher.utter_message(response=RESPONSES[kind], **city_values().emergency_numbers)
        # Type and area only (no text): supervisors see a flood spike, nobody sees the message.
        signals.record(
            "emergency",
            tracker,
            subtype=signals.emergency_type(kind, text),
            kelurahan=signals.emergency_area(tracker, text),
        )
        events: list[EventType] = [*reset_events(keep_code=True), SlotSet("homecare_kunci", None)]
        if tracker.active_loop.get("name"):
            events += [SlotSet("requested_slot", None), ActiveLoop(None)]
        if has_draft(tracker):
            dispatcher.utter_message(response="utter_darurat_draf_laporan")
            events += pause_form()
        elif kind in REPORTABLE and not in_homecare:
            dispatcher.utter_message(response="utter_darurat_tawarkan_laporan")
            events += self._draft_from(text)
        return events

    @staticmethod
    def _draft_from(text: str) -> list[EventType]:
        """The emergency message as a paused draft, so "Catat laporan" asks only what is missing."""
        events: list[EventType] = [
            SlotSet("pengaduan_id", uuid.uuid4().hex),
            SlotSet("pengaduan_deskripsi", clean_description(text)),
            SlotSet("pengaduan_ditunda", time.time()),
        ]
        if any(word in text.lower().split() for word in _FLOOD_WORDS):
            events += [
                SlotSet("pengaduan_kategori", "banjir"),
                SlotSet("pengaduan_kategori_nama", FALLBACK_SERVICES["banjir"]),
            ]
        return events
