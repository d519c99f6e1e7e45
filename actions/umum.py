"""General conversation actions: greeting new sessions, the city's menu and offering likely meanings."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import signals
from actions.common.city import city_values
from actions.common.menu import send_with_menu
from actions.common.responses import optional_text, response_text
from actions.common.tracker import latest_intent, latest_text

# Intents that make no sense as a "did you mean" choice.
_NOT_OFFERED = {"nlu_fallback", "out_of_scope", "ya", "tidak", "chitchat", "tidak_jelas"}
# A message the assistant could not read: a signal for the editors' gap report.
_NOT_UNDERSTOOD = {"nlu_fallback", "tidak_jelas"}


def greeting_for(now: datetime) -> str:
    hour = now.hour
    if 4 <= hour < 11:
        return "Selamat pagi"
    if 11 <= hour < 15:
        return "Selamat siang"
    if 15 <= hour < 18:
        return "Selamat sore"
    return "Selamat malam"


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        city = city_values()
        # Slots survive a new session (carry_over_slots_to_new_session), so a returning citizen
        # is not asked again for what they already gave; consent is kept too.
        carried = [
            SlotSet(key, value)
            for key, value in tracker.slots.items()
            if value is not None and key not in {"requested_slot", "session_started_metadata"}
        ]
        now = datetime.now(ZoneInfo(city.timezone))
        dispatcher.utter_message(
            response="utter_selamat_datang", sapaan=greeting_for(now), kota=city.name, asisten=city.assistant_name
        )
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]


class ActionTawarkanPilihan(Action):
    """Offers the two most likely meanings as buttons instead of guessing."""

    def name(self) -> str:
        return "action_tawarkan_pilihan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        from actions.lanjutan import continue_previous  # lanjutan imports the services; umum stays light

        followed = await continue_previous(dispatcher, tracker, domain)
        if followed is not None:
            return followed
        if latest_intent(tracker) in _NOT_UNDERSTOOD:  # not the "bukan keduanya" that follows
            signals.record("not_understood", tracker, latest_text(tracker))
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons: list[dict[str, str]] = []
        for candidate in ranking:
            intent = candidate.get("name", "")
            if intent in _NOT_OFFERED or "/" in intent:
                continue
            title = optional_text(domain, f"utter_judul_{intent}")
            if title is None:
                continue
            buttons.append({"title": title, "payload": f"/{intent}"})
            if len(buttons) == 2:
                break
        if not buttons:
            send_with_menu(dispatcher, domain, "utter_minta_ulang")
            return []
        other = response_text(domain, "utter_pilihan_lainnya")
        buttons.append({"title": other, "payload": "/tidak"})
        dispatcher.utter_message(response="utter_tawarkan_pilihan", buttons=buttons)
        return []


class _MenuReply(Action, ABC):
    """A reply that ends with the city's menu: the response named `response` plus the buttons of
    the services this city offers. Abstract, so rasa-sdk registers only the named replies below."""

    response = ""

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        send_with_menu(dispatcher, domain, self.response)
        return []


class ActionSapa(_MenuReply):
    response = "utter_salam"

    def name(self) -> str:
        return "action_sapa"


class ActionMenu(_MenuReply):
    response = "utter_menu"

    def name(self) -> str:
        return "action_menu"


class ActionDiLuarLayanan(_MenuReply):
    response = "utter_out_of_scope"

    def name(self) -> str:
        return "action_di_luar_layanan"


class ActionMintaUlang(_MenuReply):
    response = "utter_minta_ulang"

    def name(self) -> str:
        return "action_minta_ulang"
