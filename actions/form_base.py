"""The base every citizen form's validation action shares.

It holds what all forms do the same way: leaving when the citizen says "batal", ending early once
a reason to stop is recorded, re-asking an unusable answer and, where the form counts failures,
offering help and a human agent after repeated ones.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common.answers import wants_to_cancel
from actions.common.responses import response_text
from actions.common.tracker import latest_intent

Slots = dict[str, Any]


class CitizenFormValidation(FormValidationAction):
    """Validates only what the citizen answered.

    rasa-sdk validates every slot event at the end of the tracker, including the `SlotSet(x,
    None)` that an action sends when it clears a previous draft just before the form starts.
    Validating those as answers greeted a citizen who pressed "Pesan HomeCare" with eleven
    error messages before the first question. A cleared slot is not an answer.
    """

    # A slot that, once it holds a reason ("batal", "darurat", ...), ends the form; the action
    # that follows the form explains the reason. None: the form decides its questions itself.
    stop_slot: str | None = None
    # A slot counting unusable answers in a row. None: every unusable answer is simply re-asked.
    failure_slot: str | None = None
    # From this many failures on, `reask` offers help instead of repeating the question.
    help_after = 2
    help_response = ""
    # (response key of the button title, payload) of the help buttons, after the form's own.
    help_buttons: tuple[tuple[str, str], ...] = ()

    @abstractmethod
    def name(self) -> str:
        """Abstract, so rasa-sdk (which skips abstract classes) never registers the base itself."""

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if self.stop_slot and tracker.get_slot(self.stop_slot):
            return []
        return domain_slots

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cleared = [name for name, value in tracker.slots_to_validate().items() if value is None]
        if not cleared:
            return await super().get_validation_events(dispatcher, tracker, domain)
        trimmed = _without_trailing_clears(tracker, set(cleared))
        return await super().get_validation_events(dispatcher, trimmed, domain)

    # --- shared answer handling ----------------------------------------------------------------

    @staticmethod
    def wants_out(value: Any, tracker: Tracker | None = None) -> bool:
        """The answer is "batal" (typed alone), or, when `tracker` is given, classified as batal.

        Free-text answers pass no tracker: an address on Jl. Batalyon or a complaint that "ga
        jadi sembuh" can look like the batal intent, so there only the whole message counts.
        """
        if tracker is not None and latest_intent(tracker) == "batal":
            return True
        return wants_to_cancel(str(value or ""))

    def stop(self, slot: str, value: Any, reason: str) -> Slots:
        """Fills `slot` with `value` and ends the form for `reason`."""
        if self.stop_slot is None:
            raise TypeError(f"{type(self).__name__} stops early, so it must name its stop_slot")
        return {slot: value, self.stop_slot: reason}

    def reask(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        slot: str,
        response: str,
        buttons: list[dict[str, str]] | None = None,
        **variables: Any,
    ) -> Slots:
        """Re-asks helpfully; once `help_after` answers in a row were unusable, offers the form's
        buttons plus the help buttons (a human agent, leaving the form) instead."""
        if self.failure_slot is None:
            dispatcher.utter_message(response=response, buttons=buttons or [], **variables)
            return {slot: None}
        count = self.failures(tracker) + 1
        if count >= self.help_after:
            offer = [
                *(buttons or []),
                *({"title": response_text(domain, key), "payload": payload} for key, payload in self.help_buttons),
            ]
            dispatcher.utter_message(response=self.help_response, buttons=offer)
        else:
            dispatcher.utter_message(response=response, buttons=buttons or [], **variables)
        return {slot: None, self.failure_slot: count}

    def failures(self, tracker: Tracker) -> int:
        return int(tracker.get_slot(self.failure_slot) or 0) if self.failure_slot else 0

    def accepted(self, values: Slots) -> Slots:
        """A usable answer: `values`, with the failure count back at zero."""
        return {**values, self.failure_slot: 0} if self.failure_slot else dict(values)


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
