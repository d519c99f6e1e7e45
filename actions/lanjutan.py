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

from actions.common.tracker import latest_text
from actions.harga import parse_price_range
from actions.layanan_info import ActionJawabPertanyaan
from actions.pertanyaan import is_follow_up
from actions.produk_desa import ActionCariProduk

_CATALOGUE_ACTIONS = {"action_cari_produk", "action_produk_lagi"}
_ANSWER_ACTIONS = {"action_jawab_pertanyaan", "action_tawarkan_kandidat"}
_QUIET_ACTIONS = {"action_listen", "utter_apakah_terjawab"}
_REFINEMENT = re.compile(
    r"^\s*(kalo|kalau|klo|kl|yg|yang|ada yg|ada yang|gimana kalau|gmn kalo|terus|trus|trs|atau|ato|cari)\b", re.I
)
_MAX_REFINEMENT_WORDS = 8


def previous_turn(tracker: Tracker) -> tuple[str | None, set[str]]:
    """The assistant's last act before the citizen's current message, and the slots it filled.

    The slots tell what was really shown: a knowledge question answered with a catalogue
    search (a delegated follow-up) sets `produk_pencarian`, not `jawaban_kandidat`."""
    seen_user = False
    action: str | None = None
    filled: set[str] = set()
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                break
            seen_user = True
        elif not seen_user:
            continue
        elif kind == "slot" and event.get("value") is not None:
            filled.add(str(event.get("name")))
        elif kind == "action" and action is None and event.get("name") not in _QUIET_ACTIONS:
            action = str(event.get("name"))
    return action, filled


def _showed(tracker: Tracker, actions: set[str], slot: str) -> bool:
    action, filled = previous_turn(tracker)
    return slot in filled or action in actions


def is_catalogue_refinement(text: str) -> bool:
    if len(re.findall(r"\w+", text)) > _MAX_REFINEMENT_WORDS:
        return False
    prices, _ = parse_price_range(text)
    return bool(_REFINEMENT.search(text)) or prices.min_price is not None or prices.max_price is not None


def _follow_up_text(tracker: Tracker) -> str | None:
    if tracker.active_loop.get("name"):
        return None
    text = latest_text(tracker)
    return None if not text or text.startswith("/") else text


async def continue_catalogue(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType] | None:
    """A refinement of the catalogue search just shown, searched; None if it is not one."""
    text = _follow_up_text(tracker)
    if text and _showed(tracker, _CATALOGUE_ACTIONS, "produk_pencarian") and is_catalogue_refinement(text):
        return await ActionCariProduk().run(dispatcher, tracker, domain)
    return None


async def continue_previous(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType] | None:
    """The follow-up handled as part of the previous search or answer, or None if it is not one."""
    followed = await continue_catalogue(dispatcher, tracker, domain)
    if followed is not None:
        return followed
    text = _follow_up_text(tracker)
    if text and _showed(tracker, _ANSWER_ACTIONS, "jawaban_kandidat") and is_follow_up(text):
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
