"""Health complaints outside a booking: advice, with a HomeCare booking only where the city runs it."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.city import city_values
from actions.common.services import offers


class ActionKeluhanKesehatan(Action):
    def name(self) -> str:
        return "action_keluhan_kesehatan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        response = "utter_keluhan_kesehatan" if offers("homecare") else "utter_keluhan_kesehatan_tanpa_homecare"
        dispatcher.utter_message(response=response, **city_values().emergency_numbers)
        return []
