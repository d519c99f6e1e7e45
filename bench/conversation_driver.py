"""The conversation benchmark's driver: plays one scripted citizen against the web channel,
reading every reply and answering what it asks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from bench.conversation_goals import Conversation, State
from bench.conversation_replies import (
    FLOW_OF,
    INVITATIONS,
    TROUBLE,
    B,
    Move,
    T,
    View,
    kinds_in,
    last_kind,
    missing_groups,
    slot_phrase,
)

# Replies after which a knowledge goal asks its next follow-up (when the words are still missing).
KNOWLEDGE_TURN = frozenset(
    {
        "jawaban",
        "apakah_terjawab",
        "kandidat",
        "tidak_ditemukan",
        "tanya_silakan",
        "bukan_laporan",
        "tawarkan_pilihan",
        "minta_ulang",
        "out_of_scope",
        "chitchat",
    }
)

# Replies offering choices where any citizen presses the button that names their goal (`choose`).
CHOICES = frozenset(
    {
        "tawarkan_pilihan",
        "kandidat",
        "minta_ulang",
        "out_of_scope",
        "menu",
        "salam",
        "sambutan",
        "keluhan_kesehatan",
        "jadwal_tanpa_pesanan",
        "tidak_ditemukan",
        "apakah_terjawab",
        "darurat",
        "handoff_gagal",
    }
)

# Buttons a presser takes for each kind (payload prefixes), unless the script says otherwise.
DEFAULT_PRESS: dict[str, str] = {
    "foto": "/lewati",
    "persetujuan": "/ya",
    "ringkasan": "/kirim_pengaduan",
    "dukung": "/tidak",
    "hc_tb1": "/tidak",
    "hc_tb2": "/tidak",
    "hc_tb": "/tidak",
    "hc_setuju": "/ya",
    "hc_ringkasan": "/ya",
    "hc_batal_setuju": "/ya",
    "hapus_konfirmasi": "/ya",
    "ekspor_konfirmasi": "/ya",
    "hc_jadwal": "/pilih_jadwal",
    "draf_aman": "/lanjutkan_laporan",
}


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------


@dataclass
class Turn:
    n: int
    move: str
    kinds: list[str]
    reply: str  # for --show only; not written to the results file
    buttons: list[str]
    note: str | None = None  # the friction seen on this turn, if any


@dataclass
class Result:
    id: str
    persona: str
    goal: str
    minimum: int
    reason: str
    turns: list[Turn] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    replies_ok: bool = False
    verified: bool | None = None  # None: not checked against the backend
    check_note: str = ""
    error: str | None = None
    seconds: float = 0.0

    @property
    def completed(self) -> bool:
        return self.replies_ok and self.verified is not False and self.error is None

    @property
    def used(self) -> int:
        return len(self.turns)

    @property
    def ratio(self) -> float:
        return self.used / self.minimum

    @property
    def friction(self) -> str:
        for turn in self.turns:
            if turn.note:
                return f"t{turn.n}: {turn.note}"
        return ""


Send = Callable[[Move], list[dict[str, Any]]]


class Driver:
    """Plays one conversation: sends a move, reads the reply, picks the next move."""

    def __init__(self, conv: Conversation, chain: dict[str, Any]) -> None:
        self.conv = conv
        self.state = State(chain=chain, told=set(conv.told), agenda_left=len(conv.agenda))
        self.asides_done: set[int] = set()
        self.pending_retry: Move | None = None
        self.follow_ups_used: list[int] = []
        self.answered: dict[str, int] = {}  # kind -> times answered from the facts
        self.chosen: dict[str, int] = {}  # button title -> times pressed as a choice
        self.rephrased = 0
        self.answering: str | None = None  # the kind the move being sent answers
        self.milestone = 0
        self.missed: list[str] = []
        self.reached: list[str] = []
        self.asked: list[str] = []  # the kind each reply left open, in order

    # --- what the reply did --------------------------------------------------------------------

    def observe(self, view: View) -> str | None:
        """Advances the milestones; returns the friction this reply shows, if any."""
        kinds = kinds_in(view.text)
        moved = False
        while self.milestone < len(self.conv.milestones):
            milestone = self.conv.milestones[self.milestone]
            if milestone.on_aside and not self.state.aside_reply:
                break
            if milestone.reached(view, self.state):
                self.reached.append(milestone.name)
                self.milestone += 1
                moved = True
                self.pending_retry = None  # the aside worked: no need to say it again
                continue
            if milestone.on_aside and self.pending_retry is None:
                # The aside (and its retry) got no fitting reply: that step is lost; go on with the rest.
                self.missed.append(milestone.name)
                self.milestone += 1
                return f"{milestone.name} not reached"
            break
        open_kind = kinds[-1] if kinds else None
        previous = self.asked[-1] if self.asked else None
        self.asked.append(open_kind or "?")
        if moved:
            return None
        if not kinds:
            return "reply not understood by the driver"
        trouble = [k for k in kinds if k in TROUBLE and not (k == "out_of_scope" and self.conv.refusal_ok)]
        if trouble:
            return trouble[-1].replace("_", " ")
        foreign = sorted({FLOW_OF[k] for k in kinds if k in FLOW_OF} - set(self.conv.flows))
        if foreign:
            return f"went to {'/'.join(foreign)} ({open_kind})"
        if self.conv.keywords and "jawaban" in kinds:
            lacking = missing_groups(self.state.answers, self.conv.keywords)
            if lacking:
                return f"answer lacks '{self.conv.keywords[lacking[0]][0]}'"
        if open_kind in self.state.told and open_kind not in INVITATIONS:
            return f"asked again for {open_kind}"
        if open_kind == previous and not self.state.aside_reply:
            return f"same question again ({open_kind})"
        return None

    @property
    def done(self) -> bool:
        return self.milestone >= len(self.conv.milestones)

    # --- what to say next ------------------------------------------------------------------------

    def fill(self, move: Move) -> Move:
        if move.text and "{code}" in move.text and not self.state.chain.get("codes"):
            return self.rephrase()  # no code was issued: the citizen cannot give one
        if move.text and "{" in move.text:
            codes = self.state.chain.get("codes") or [""]
            return replace(move, text=move.text.format(slot=self.state.slot or "", code=codes[-1]))
        return move

    def choose_slot(self, view: View) -> tuple[str, str] | None:
        slots = [b for b in view.buttons if b[1].startswith("/pilih_jadwal")]
        if not slots:
            return None
        chosen = slots[min(self.conv.slot_index, len(slots) - 1)]
        self.state.slot = slot_phrase(chosen[0]) or chosen[0]
        return chosen

    def pressed(self, kind: str, view: View) -> Move | None:
        """The button a presser takes for this kind, if the reply offers one."""
        want = self.conv.press.get(kind) or DEFAULT_PRESS.get(kind)
        if not want:
            return None
        if kind == "hc_jadwal":
            chosen = self.choose_slot(view)
            return B(chosen[1], chosen[0]) if chosen else None
        found = view.button(title=want[6:]) if want.startswith("title:") else view.button(want)
        return B(found[1], found[0]) if found else None

    def knowledge_move(self) -> Move:
        """The follow-up for the first keyword group still missing from the answers (one not asked yet
        first; then the first missing one again)."""
        missing = missing_groups(self.state.answers, self.conv.keywords) if self.state.answers else [0]
        options = [i for i in missing if i < len(self.conv.follow_ups)]
        if not options:
            return self.rephrase()
        fresh = [i for i in options if i not in self.follow_ups_used]
        index = fresh[0] if fresh else options[0]
        self.follow_ups_used.append(index)
        return self.conv.follow_ups[index]

    def fact(self, kind: str) -> Move:
        given = self.conv.facts[kind]
        answers = given if isinstance(given, tuple) else (given,)
        n = self.answered.get(kind, 0)
        self.answered[kind] = n + 1
        self.answering = kind
        return answers[min(n, len(answers) - 1)]

    def next_move(self, view: View) -> Move:
        kind = last_kind(view)
        self.answering = None
        if self.pending_retry is not None:
            move, self.pending_retry = self.pending_retry, None
            self.state.aside_reply = True
            return move
        self.state.aside_reply = False
        for i, aside in enumerate(self.conv.asides):
            if i not in self.asides_done and kind in aside.when:
                self.asides_done.add(i)
                self.pending_retry = aside.retry
                self.state.aside_reply = True
                if aside.say.payload and not view.button(aside.say.payload):
                    return T(aside.say.title or aside.say.payload.lstrip("/"))  # no such button: typed
                return aside.say
        if kind == "hc_jadwal":
            self.choose_slot(view)
        if kind is not None and self.conv.presses:
            button = self.pressed(kind, view)
            if button:
                self.answering = kind
                return button
        if self.conv.choose and kind in CHOICES:
            offered = view.button(title=self.conv.choose)
            if offered and self.chosen.get(offered[0], 0) < 2:
                self.chosen[offered[0]] = self.chosen.get(offered[0], 0) + 1
                return B(offered[1], offered[0])
        if self.conv.keywords and kind in KNOWLEDGE_TURN:
            return self.knowledge_move()
        if kind is not None and kind in self.conv.facts:
            return self.fact(kind)
        if kind == "pengaduan_mulai" and "kategori" in self.conv.facts:
            return self.fact("kategori")
        if kind == "tanpa_draf" and "pengaduan" in self.conv.flows:
            return self.conv.opening  # the draft is gone: report again from the start
        if self.state.agenda_left:
            move = self.conv.agenda[len(self.conv.agenda) - self.state.agenda_left]
            self.state.agenda_left -= 1
            return move
        if self.conv.keywords:
            return self.knowledge_move()
        return self.rephrase()

    def rephrase(self) -> Move:
        """Nothing fits: the citizen says again what they want, in other words each time."""
        options = self.conv.rephrase or (self.conv.opening,)
        move = options[min(self.rephrased, len(options) - 1)]
        self.rephrased += 1
        return move

    def after_send(self, move: Move) -> None:
        """What the citizen has now told: the question this move answered and what else it holds."""
        self.state.told |= set(move.tells)
        if self.answering:
            self.state.told.add(self.answering)


def drive(conv: Conversation, send: Send, chain: dict[str, Any] | None = None) -> Result:
    """Plays the conversation through `send` (one citizen move -> the assistant's replies)."""
    driver = Driver(conv, chain if chain is not None else {})
    result = Result(conv.id, conv.persona, conv.goal, conv.minimum, conv.reason)
    move = conv.opening
    started = time.perf_counter()
    try:
        while True:
            replies = send(move)
            view = View.of(replies)
            result.turns.append(
                Turn(len(result.turns) + 1, move.shown(), kinds_in(view.text), view.text, [t for t, _ in view.buttons])
            )
            driver.after_send(move)
            result.turns[-1].note = driver.observe(view)
            if driver.done or len(result.turns) >= conv.max_turns:
                break
            move = driver.fill(driver.next_move(view))
    except Exception as exc:  # an HTTP failure ends this conversation, not the run
        result.error = f"{type(exc).__name__}: {str(exc)[:120]}"
    result.reached, result.missed = driver.reached, driver.missed
    result.replies_ok = driver.done and not driver.missed
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------------------------------
# Talking to the stack, and checking the real system
# ---------------------------------------------------------------------------------------------


def web_sender(base: str, client: str, pace: float, timeout: float = 120.0) -> Send:
    """Sends moves through the gateway's web API (the widget's routes) as one web client."""
    from citybot.gateway import texts
    from tests.webclient import headers_for

    last = [0.0]

    def send(move: Move) -> list[dict[str, Any]]:
        for _attempt in range(6):
            wait = last[0] + pace - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            last[0] = time.monotonic()
            headers = headers_for(base, client)  # the gateway-issued id standing for this citizen
            if move.location:
                body: dict[str, Any] = {"latitude": move.location[0], "longitude": move.location[1]}
                response = httpx.post(f"{base}/api/messages/location", json=body, headers=headers, timeout=timeout)
            else:
                body = {"payload": move.payload} if move.payload is not None else {"text": move.text or ""}
                response = httpx.post(f"{base}/api/messages", json=body, headers=headers, timeout=timeout)
            if response.status_code == 503:  # gateway busy: the message was not taken, send it again
                time.sleep(5)
                continue
            if response.status_code == 429:  # this network's limit: wait as told, then send it again
                time.sleep(min(60.0, float(response.headers.get("Retry-After", "30"))))
                continue
            response.raise_for_status()
            replies = response.json()["replies"]
            if any(r.get("text") == texts.RATE_LIMITED for r in replies):
                time.sleep(30)  # not the citizen's turn: wait and send the same message again
                continue
            return list(replies)
        raise RuntimeError("gateway kept refusing the message (busy or rate limited)")

    return send
