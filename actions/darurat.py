"""Emergency first, everywhere: a life-threatening message gets 112/119 at once.

Whatever form is active is switched off and nothing already typed for a booking is kept; no
booking is made and no personal data is asked for.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.homecare import reset_events


class ActionDarurat(Action):
    def name(self) -> str:
        return "action_darurat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_darurat")
        events: list[EventType] = [*reset_events(keep_code=True), SlotSet("homecare_kunci", None)]
        if tracker.active_loop.get("name"):
            events += [SlotSet("requested_slot", None), ActiveLoop(None)]
        return events
