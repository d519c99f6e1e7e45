"""Follow-ups the classifier cannot place because their meaning is in the previous turn.

"kalo yg arabika ada?" after a coffee search, or "trus biayanya brp?" after an SKCK answer,
look like small talk or nothing in particular on their own. When the assistant's last act was a
catalogue search or a knowledge answer and the message reads as a follow-up, it goes on with
that instead of small talk or a "which did you mean?" question.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.harga import parse_price_range
from actions.layanan_info import ActionJawabPertanyaan
from actions.pertanyaan import is_follow_up
from actions.produk_desa import ActionCariProduk
from actions.warga import latest_text

_CATALOGUE_ACTIONS = {"action_cari_produk", "action_produk_lagi"}
_ANSWER_ACTIONS = {"action_jawab_pertanyaan", "action_tawarkan_kandidat"}
_QUIET_ACTIONS = {"action_listen", "utter_apakah_terjawab"}
_REFINEMENT = re.compile(
    r"^\s*(kalo|kalau|klo|kl|yg|yang|ada yg|ada yang|gimana kalau|gmn kalo|terus|trus|trs|atau|ato|cari)\b", re.I
)
_MAX_REFINEMENT_WORDS = 8


def previous_bot_action(tracker: Tracker) -> str | None:
    """The assistant's last act before the citizen's current message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") not in _QUIET_ACTIONS:
            return str(event.get("name"))
    return None


def is_catalogue_refinement(text: str) -> bool:
    if len(re.findall(r"\w+", text)) > _MAX_REFINEMENT_WORDS:
        return False
    prices, _ = parse_price_range(text)
    return bool(_REFINEMENT.search(text)) or prices.min_price is not None or prices.max_price is not None


async def continue_previous(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType] | None:
    """The follow-up handled as part of the previous search or answer, or None if it is not one."""
    if tracker.active_loop.get("name"):
        return None
    text = latest_text(tracker)
    if not text or text.startswith("/"):
        return None
    previous = previous_bot_action(tracker)
    if previous in _CATALOGUE_ACTIONS and is_catalogue_refinement(text):
        return await ActionCariProduk().run(dispatcher, tracker, domain)
    if previous in _ANSWER_ACTIONS and is_follow_up(text):
        return await ActionJawabPertanyaan().run(dispatcher, tracker, domain)
    return None


class ActionObrolan(Action):
    """Small talk, unless it is a follow-up of what was just shown."""

    def name(self) -> str:
        return "action_obrolan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        followed = await continue_previous(dispatcher, tracker, domain)
        if followed is not None:
            return followed
        dispatcher.utter_message(response=selected_chitchat(tracker.latest_message))
        return []


def selected_chitchat(message: dict[str, Any]) -> str:
    """The response the response selector picked for this message (e.g. utter_chitchat/tanya_nama)."""
    selectors = message.get("response_selector") or {}
    for key in ("chitchat", "default"):
        picked = ((selectors.get(key) or {}).get("response") or {}).get("utter_action")
        if picked:
            return str(picked)
    return "utter_chitchat/tanya_bot"
