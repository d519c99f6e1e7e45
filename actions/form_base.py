"""The base every citizen form's validation action shares."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict


class CitizenFormValidation(FormValidationAction):
    """Validates only what the citizen answered.

    rasa-sdk validates every slot event at the end of the tracker, including the `SlotSet(x,
    None)` that an action sends when it clears a previous draft just before the form starts.
    Validating those as answers greeted a citizen who pressed "Pesan HomeCare" with eleven
    error messages before the first question. A cleared slot is not an answer.
    """

    @abstractmethod
    def name(self) -> str:
        """Abstract, so rasa-sdk (which skips abstract classes) never registers the base itself."""

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cleared = [name for name, value in tracker.slots_to_validate().items() if value is None]
        if not cleared:
            return await super().get_validation_events(dispatcher, tracker, domain)
        trimmed = _without_trailing_clears(tracker, set(cleared))
        return await super().get_validation_events(dispatcher, trimmed, domain)


def _without_trailing_clears(tracker: Tracker, cleared: set[str]) -> Tracker:
    """A copy of the tracker whose trailing slot events no longer include the cleared slots."""
    events: list[dict[str, Any]] = list(tracker.events)
    tail: list[dict[str, Any]] = []
    while events and events[-1].get("event") == "slot":
        tail.append(events.pop())
    kept = [e for e in reversed(tail) if not (e.get("name") in cleared and e.get("value") is None)]
    copy = tracker.copy()
    copy.events = [*events, *kept]
    return copy
