"""Answers permit, health and transport questions from the knowledge files (retrieval).

The retrieved passage is the one text a citizen reads that is not in the domain. The retriever
is created on first use through a locked, cached getter and every search is bounded in time,
so a cold index or a slow embedding model never holds the action server hostage.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import signals
from actions.common.blocking import run_bounded
from actions.common.menu import send_with_menu
from actions.common.responses import response_text
from actions.common.tracker import latest_text
from actions.pengaduan_bantu import reset_form
from actions.pertanyaan import is_follow_up, is_short, previous_topic, questions_in, search_text, with_topic
from actions.sumber import source_line
from citybot import metrics
from citybot.client.knowledge import record_shown_later
from citybot.nlu.request_cues import is_bare_question_opener
from citybot.settings import get_settings

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 1200
CANDIDATES = 4
_lock = threading.Lock()
_TOPIC_EXAMPLES = {
    "perizinan": ("utter_topik_perizinan", "syarat mengurus PBG"),
    "kesehatan": ("utter_topik_kesehatan", "jadwal imunisasi anak di puskesmas"),
    "transportasi": ("utter_topik_transportasi", "tarif JakLingko"),
}


def _retriever() -> Any:
    """The process-wide retriever; the lock keeps two first questions from loading it twice."""
    from citybot.retrieval import get_retriever

    with _lock:
        return get_retriever()


def _search(query: str, k: int) -> Any:
    return _retriever().search(query, k=k)


def format_passage(section: str, text: str, limit: int = MAX_ANSWER_CHARS) -> str:
    """Short, readable answer: bullets and line breaks kept, cut at a line boundary."""
    body = re.sub(r"\n{3,}", "\n\n", text.strip())
    body = re.sub(r"^#{1,6}\s*", "", body, flags=re.MULTILINE)
    body = re.sub(r"^\s*[-*]\s+", "• ", body, flags=re.MULTILINE)
    # Chat apps show Markdown emphasis and links as raw symbols: keep the words, drop the marks.
    body = re.sub(r"(\*\*|__)(.+?)\1", r"\2", body)
    body = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"\1 (\2)", body)
    heading = section.strip().lstrip("#").strip()
    if heading and not body.lower().startswith(heading.lower()):
        body = f"{heading}\n{body}"
    if len(body) <= limit:
        return body
    cut = body[:limit]
    cut = cut[: cut.rfind("\n")] if "\n" in cut[limit // 2 :] else cut[: cut.rfind(" ")]
    return cut.rstrip() + " …"


def candidates_from(hits: list[Any]) -> list[dict[str, str]]:
    """One passage per document, best first."""
    seen: set[str] = set()
    found: list[dict[str, str]] = []
    for hit in hits:
        if hit.doc_id in seen:
            continue
        seen.add(hit.doc_id)
        # An FAQ passage's heading is the question itself: the answer reads better without it.
        section = "" if hit.passage_id.startswith("faq:") else hit.section
        found.append(
            {
                "doc_id": hit.doc_id,
                "title": hit.title,
                "section": section,
                "text": hit.text,
                "sumber": source_line(hit),
                # Kept for the "Belum" feedback signal: how close the answer the citizen rejected was.
                "skor": f"{float(getattr(hit, 'score', 0.0)):.4f}",
            }
        )
    return found


def say_answer(dispatcher: CollectingDispatcher, item: dict[str, str], text: str) -> None:
    """Send one knowledge answer; only answers sent count for the editors' "most shown"."""
    dispatcher.utter_message(
        response="utter_jawaban",
        jawaban=format_passage(item["section"], text),
        sumber=item.get("sumber") or item["title"],
    )
    record_shown_later(item["doc_id"])  # fire-and-forget: never delays the reply


def title_buttons(domain: DomainDict, candidates: list[dict[str, str]]) -> list[dict[str, str]]:
    buttons = [
        {"title": c["title"][:60], "payload": f'/tanya_layanan{{"dokumen": "{c["doc_id"]}"}}'} for c in candidates
    ]
    buttons.append({"title": response_text(domain, "utter_tombol_petugas"), "payload": "/bicara_petugas"})
    return buttons


def ranked_out_of_scope(tracker: Tracker, floor: float = 0.25) -> bool:
    """The classifier's own first guess was "out of scope" (before a cue override, which halves
    the others: 0.25 here was 0.5)."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return any(r.get("name") == "out_of_scope" and float(r.get("confidence") or 0) >= floor for r in ranking[:2])


class ActionJawabPertanyaan(Action):
    def name(self) -> str:
        return "action_jawab_pertanyaan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await self.respond(dispatcher, tracker, domain, latest_text(tracker))

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, text: str
    ) -> list[EventType]:
        from actions.lanjutan import continue_catalogue  # lanjutan imports this module

        followed = await continue_catalogue(dispatcher, tracker, domain)
        if followed is not None:  # "kalo yang arabika ada?" right after a catalogue search
            return followed
        in_form = bool(tracker.active_loop.get("name"))
        chosen = next(tracker.get_latest_entity_values("dokumen"), None)
        if chosen:
            return self._answer_chosen(dispatcher, tracker, domain, str(chosen), in_form)
        if not text or text.startswith("/") or is_bare_question_opener(text):
            # A menu button ("Info perizinan") or "mau nanya" carries no question yet.
            topic = tracker.get_slot("topik_layanan")
            key, example = _TOPIC_EXAMPLES.get(str(topic), ("utter_topik_umum", "syarat bikin KTP"))
            dispatcher.utter_message(response="utter_tanya_topik", topik=response_text(domain, key), contoh=example)
            return []
        questions = questions_in(text)
        topic = previous_topic(tracker.get_slot("jawaban_kandidat"))
        events: list[EventType] = []
        shown: set[tuple[str, str]] = set()
        for number, question in enumerate(questions, start=1):
            answered = await self._answer(
                dispatcher,
                tracker,
                domain,
                question,
                topic,
                ask_feedback=not in_form and number == len(questions),
                shown=shown,
                same_message=number > 1,
            )
            events += answered
            stored = next((e["value"] for e in answered if e.get("name") == "jawaban_kandidat"), None)
            topic = previous_topic(stored) or topic
        return [*events, SlotSet("pertanyaan_terakhir", text[:300])]

    async def _search_in_context(self, question: str, topic: dict[str, str] | None, same_message: bool) -> Any:
        """Search the question; a follow-up that alone finds nothing sure is read with the last topic
        (any short later question of the same message is one: "…PBG? pripun carane?")."""
        limit = get_settings().retrieval_timeout_seconds
        query = search_text(question)
        answer = await run_bounded(_search, query, CANDIDATES * 2, limit=limit)
        follows = is_follow_up(question) or (same_message and is_short(question))
        if topic is None or not follows:
            return answer
        # "brp biayanya?" right after an answer asks about that answer's subject: read with the
        # last topic, it wins when sure, even over another document that alone looks sure.
        in_context = await run_bounded(_search, with_topic(query, topic), CANDIDATES * 2, limit=limit)
        if in_context.confident or in_context.confidence >= answer.confidence:
            return in_context
        return answer

    async def _answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        text: str,
        topic: dict[str, str] | None,
        ask_feedback: bool,
        shown: set[tuple[str, str]] | None = None,
        same_message: bool = False,
    ) -> list[EventType]:
        settings = get_settings()
        try:
            answer = await self._search_in_context(text, topic, same_message)
        except TimeoutError:
            log.warning("retrieval took longer than %.1f s", settings.retrieval_timeout_seconds)
            dispatcher.utter_message(response="utter_jawaban_tidak_tersedia")
            return []
        except Exception:  # a missing or broken index must not break the conversation
            log.exception("retrieval failed")
            dispatcher.utter_message(response="utter_jawaban_tidak_tersedia")
            return []
        metrics.RETRIEVAL_CONFIDENCE.observe(answer.confidence)
        candidates = candidates_from(answer.hits)[:CANDIDATES]
        if not candidates:
            signals.record("low_confidence", tracker, text)
            dispatcher.utter_message(response="utter_jawaban_tidak_ditemukan")
            return [SlotSet("jawaban_kandidat", None)]
        doubtful = answer.confidence < settings.retrieval_sure_above
        if not answer.confident or (doubtful and ranked_out_of_scope(tracker)):
            # Every question not answered surely, whatever is said next: the editors' gap report.
            signals.record("low_confidence", tracker, text, closest_docs=signals.doc_scores(candidates))
        if doubtful and ranked_out_of_scope(tracker):
            # Only a question cue made this a question (the classifier said out of scope): answer
            # only what the knowledge files answer surely; a product review is not a KAI question.
            send_with_menu(dispatcher, domain, "utter_out_of_scope")
            return [SlotSet("jawaban_kandidat", None)]
        if answer.confidence < settings.retrieval_unknown_below:
            dispatcher.utter_message(response="utter_jawaban_tidak_ditemukan")
            return [SlotSet("jawaban_kandidat", {"items": candidates, "ditawarkan": False})]
        if not answer.confident:
            dispatcher.utter_message(response="utter_belum_yakin_jawaban", buttons=title_buttons(domain, candidates))
            return [SlotSet("jawaban_kandidat", {"items": candidates, "ditawarkan": True})]
        best = answer.best
        passage = (candidates[0]["doc_id"], candidates[0]["section"])
        if shown is None or passage not in shown:  # two questions, one passage: shown once
            say_answer(dispatcher, candidates[0], best.text)
        if shown is not None:
            shown.add(passage)
        if ask_feedback:
            dispatcher.utter_message(response="utter_apakah_terjawab")
        return [SlotSet("jawaban_kandidat", {"items": candidates, "ditawarkan": False})]

    def _answer_chosen(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, doc_id: str, in_form: bool
    ) -> list[EventType]:
        stored = tracker.get_slot("jawaban_kandidat") or {}
        items: list[dict[str, str]] = stored.get("items", []) if isinstance(stored, dict) else []
        found = next((c for c in items if c["doc_id"] == doc_id), None)
        if found is None:
            dispatcher.utter_message(response="utter_jawaban_tidak_ditemukan")
            return []
        say_answer(dispatcher, found, found["text"])
        if not in_form:
            dispatcher.utter_message(response="utter_apakah_terjawab")
        rest = [found] + [c for c in items if c["doc_id"] != doc_id]
        return [SlotSet("jawaban_kandidat", {"items": rest, "ditawarkan": False})]


class ActionTawarkanKandidat(Action):
    """After "tidak": the other candidate documents as buttons, and a human agent."""

    def name(self) -> str:
        return "action_tawarkan_kandidat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        stored = tracker.get_slot("jawaban_kandidat") or {}
        items = stored.get("items", []) if isinstance(stored, dict) else []
        others = items[1:]
        # "Belum": the answer shown did not answer the question it was given for.
        if signals.feedback_was_asked(tracker):
            question = str(tracker.get_slot("pertanyaan_terakhir") or "")
            signals.record("negative_feedback", tracker, question, closest_docs=signals.doc_scores(items[:1]))
        if not others or (isinstance(stored, dict) and stored.get("ditawarkan")):
            dispatcher.utter_message(response="utter_tidak_ada_kandidat")
            return []
        dispatcher.utter_message(response="utter_kandidat_lain", buttons=title_buttons(domain, others))
        return [SlotSet("jawaban_kandidat", {"items": items, "ditawarkan": True})]


_NOT_A_REPORT_WORDS = re.compile(
    r"\b(bukan|ga|gak|nggak|tidak|tdk|mau|mas|mbak|kak|min|pak|bu|saya|sy|lapor|laporan|melapor|ngadu|nanya|tanya|"
    r"cuma|hanya|aja|saja|lah|kok|sih)\b",
    re.IGNORECASE,
)


_DENIAL = re.compile(
    r"^.*?\b(bukan|ga|gak|nggak|ngga|tidak|tdk|enggak)\s+(mau\s+|mo\s+|pengen\s+|ingin\s+)?"
    r"(lapor|melapor|ngelapor|ngadu|mengadu)\w*\b[^,.;!?]*[,.;!?]?\s*",
    re.IGNORECASE,
)
_ASKING = re.compile(
    r"^\s*((lah|kan|cuma|cuman|hanya|saya|sy|aku|gw|gue|mau|mo|ingin|pengen)\s+)*"
    r"(nanya|tanya|bertanya|menanyakan|nanyain)\s*((soal|tentang|masalah|mengenai|perihal)\s+)?",
    re.IGNORECASE,
)


def question_after_denial(text: str) -> str:
    """The question a citizen asks after saying it is not a report, or the whole text."""
    question = _ASKING.sub("", _DENIAL.sub("", text, count=1), count=1).strip(" ,.")
    return question if len(re.findall(r"\w+", question)) >= 2 else text


class ActionBukanLaporan(ActionJawabPertanyaan):
    """ "Bukan mau lapor, mau tanya ...": drop the complaint draft and answer what was asked."""

    def name(self) -> str:
        return "action_bukan_laporan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = list(reset_form())
        text = latest_text(tracker)
        rest = _NOT_A_REPORT_WORDS.sub(" ", text)
        if len(re.findall(r"[a-zA-Z]{3,}", rest)) < 2:
            dispatcher.utter_message(response="utter_bukan_laporan_silakan")
            return events
        dispatcher.utter_message(response="utter_bukan_laporan")
        # "lah sy ga mau lapor, sy nanya tunggakan bpjs ...": search what is asked, not the denial.
        return events + await self.respond(dispatcher, tracker, domain, question_after_denial(text))
