"""The goals of the conversation benchmark: milestones a reply reaches, and the scripted
citizen (`Conversation`) whose data lives in bench/conversations.yml."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.conversation_replies import Move, View, booking_code_in, kinds_in, missing_groups, prices_in, ticket_in

# Goals
# ---------------------------------------------------------------------------------------------


@dataclass
class State:
    """What the driver has seen so far; `chain` is shared by the conversations of one chat."""

    chain: dict[str, Any]
    told: set[str] = field(default_factory=set)
    answers: str = ""  # every knowledge answer text so far (keyword groups accumulate)
    aside_reply: bool = False  # this reply answers a scripted aside
    agenda_left: int = 0
    slot: str | None = None  # the slot button chosen (title)


@dataclass(frozen=True)
class Milestone:
    """One step of the goal, reached when `reached(view, state)` holds for some reply (in order).

    A milestone with `on_aside` is only judged on the reply to the scripted aside it belongs to."""

    name: str
    reached: Callable[[View, State], bool]
    on_aside: bool = False


def m_ticket() -> Milestone:
    def reached(view: View, state: State) -> bool:
        ticket = ticket_in(view.text) if "terkirim" in kinds_in(view.text) else None
        if ticket:
            state.chain.setdefault("tickets", []).append(ticket)
        return ticket is not None

    return Milestone("ticket", reached)


def m_emergency(number: str) -> Milestone:
    return Milestone(
        f"emergency {number}",
        lambda v, s: "darurat" in kinds_in(v.text) and re.search(rf"\b{number}\b", v.text) is not None,
        on_aside=True,
    )


def m_cancelled() -> Milestone:
    return Milestone(
        "cancel understood", lambda v, s: bool({"dibatalkan", "draf_disimpan"} & set(kinds_in(v.text))), on_aside=True
    )


REASSURANCE = re.compile(
    r"rahasia|tidak (akan )?(di)?(bagikan|ketahui|beritahukan|diberitahu|tahu|teruskan)|identitas anda (tidak|tetap)"
    r"|tanpa identitas|tidak ada nama|tidak dicantumkan",
    re.I,
)


def m_reassured() -> Milestone:
    return Milestone("anonymity reassured", lambda v, s: REASSURANCE.search(v.text) is not None, on_aside=True)


def m_answered(groups: Sequence[Sequence[str]]) -> Milestone:
    def reached(view: View, state: State) -> bool:
        if "jawaban" in kinds_in(view.text):
            state.answers += "\n" + view.text
            state.chain["answers"] = state.answers
        return bool(state.answers) and not missing_groups(state.answers, groups)

    return Milestone("answer words", reached)


def m_booked() -> Milestone:
    def reached(view: View, state: State) -> bool:
        code = booking_code_in(view.text) if "hc_terpesan" in kinds_in(view.text) else None
        if code:
            state.chain.setdefault("codes", []).append(code)
        return code is not None

    return Milestone("booking code", reached)


def m_kind(kind: str, name: str | None = None) -> Milestone:
    return Milestone(name or kind, lambda v, s: kind in kinds_in(v.text))


def m_products(word: str, max_price: int) -> Milestone:
    def reached(view: View, state: State) -> bool:
        prices = prices_in(view.text)
        if not prices or word.lower() not in view.text.lower() or max(prices) > max_price:
            return False
        state.chain["products_shown"] = view.text
        return True

    return Milestone(f"{word} <= {max_price}", reached)


def m_agenda_done() -> Milestone:
    """Everything the citizen planned to say was said, and the last reply keeps them out of any form."""
    calm = {"out_of_scope", "chitchat", "selamat_tinggal", "salam", "menu", "sambutan", "tawarkan_pilihan"}

    def reached(view: View, state: State) -> bool:
        kinds = kinds_in(view.text)
        return state.agenda_left == 0 and bool(kinds) and kinds[-1] in calm

    return Milestone("all said, left alone", reached)


# ---------------------------------------------------------------------------------------------
# Conversations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aside:
    """Instead of answering the first `when` question, the citizen says `say` (retried once with
    `retry` when the reply does not reach the milestone the aside is for)."""

    when: tuple[str, ...]
    say: Move
    retry: Move | None = None


@dataclass(frozen=True)
class Conversation:
    id: str
    persona: str
    goal: str
    opening: Move
    minimum: int
    reason: str  # why that minimum
    milestones: tuple[Milestone, ...]
    flows: frozenset[str]  # the flows this goal goes through ("umum" replies are always fine)
    # reply kind -> what the citizen types; a tuple answers the 1st, 2nd... time it is asked (the last repeats)
    facts: Mapping[str, Move | tuple[Move, ...]] = field(default_factory=dict)
    presses: bool = False  # a button presser: buttons (payloads) whenever one fits
    press: Mapping[str, str] = field(default_factory=dict)  # kind -> payload prefix or "title:<regex>"
    told: frozenset[str] = frozenset()  # kinds the opening already answered
    asides: tuple[Aside, ...] = ()
    agenda: tuple[Move, ...] = ()  # said on the citizen's own initiative when nothing is asked
    keywords: tuple[tuple[str, ...], ...] = ()  # knowledge goals: word groups the answers must hold
    follow_ups: tuple[Move, ...] = ()  # knowledge goals: asked for the first missing group, in order
    slot_index: int = 0  # which offered HomeCare slot the citizen takes
    continues: str | None = None  # the id of the conversation whose chat (sender) this one goes on in
    refusal_ok: bool = False  # "out of scope" is the right answer here
    rephrase: tuple[Move, ...] = ()  # said in turn when nothing else fits (then the last again; default: opening)
    choose: str | None = None  # regex of the button title the citizen takes when offered choices
    check: str = "none"  # the real-system check, see Checker
    city: str = "jakarta"  # the city profile whose stack plays it (HomeCare is Makassar's, the catalogue Banyuwangi's)

    @property
    def max_turns(self) -> int:
        return math.floor(2.5 * self.minimum) + 3
