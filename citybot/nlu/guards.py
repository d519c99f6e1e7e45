"""Requests that must be explicit: the classifier alone never opens the data-rights flows.

Real citizens' long messages carry personal context ("KTP saya hilang, domisili saya ...");
the classifier read that as `lihat_data_saya` with 0.99 confidence. Showing or deleting a
citizen's records is only offered when the words ask for it (`request_cues.asks_for_own_data`);
otherwise the next intent in the ranking stands, and the fallback classifier after this
component still judges its confidence.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from citybot.nlu.emergency_patterns import precise_kind
from citybot.nlu.request_cues import (
    DATA_RIGHTS_INTENTS,
    QUESTION_OVERRIDABLE,
    REPORT_OVERRIDABLE,
    SPECIFIC_ANSWER_INTENTS,
    asks_a_question,
    asks_for_a_person,
    asks_for_own_data,
    booking_change,
    describes_a_problem,
    gives_contact_details,
    is_bare_question_opener,
    is_laughter,
    mentions_a_price,
    names_a_service,
    says_not_a_report,
    short_answer,
)

EMERGENCY = "darurat"
# An out-of-scope verdict this sure is kept even when the message carries a question mark.
OUT_OF_SCOPE_SURE = 0.5
# Below this the classifier has no real opinion; a question cue then decides.
WEAK = 0.3


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ExplicitDataRightsGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExplicitDataRightsGuard:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = message.get(INTENT) or {}
            if not text or intent.get(INTENT_NAME_KEY) not in DATA_RIGHTS_INTENTS or asks_for_own_data(str(text)):
                continue
            ranking = [
                r for r in message.get("intent_ranking") or [] if r.get(INTENT_NAME_KEY) not in DATA_RIGHTS_INTENTS
            ]
            if not ranking:
                continue
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ShortAnswerGuard(GraphComponent):
    """"y", "iya tampilin", "ya hapus" are a yes wherever a yes is asked for.

    The classifier read "ya hapus" as a goodbye, so a citizen who confirmed a deletion was
    told "Sampai jumpa" and nothing was deleted. Intents that already give a short answer its
    meaning (batal, kirim, lewati, ...) are left alone.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ShortAnswerGuard:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            if not text:
                continue
            answer = short_answer(str(text))
            # ya/tidak themselves are only corrected (the classifier read "y" as "tidak").
            if answer is None or (name in SPECIFIC_ANSWER_INTENTS and name not in ("ya", "tidak")):
                continue
            _override(message, answer)
        return messages


def _demote(message: Message, intent: str) -> None:
    ranking = [r for r in message.get("intent_ranking") or [] if r.get(INTENT_NAME_KEY) != intent]
    if ranking:
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set("intent_ranking", ranking, add_to_output=True)


def _top_confidence(message: Message) -> float:
    return float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)


def _override(message: Message, intent: str) -> None:
    """`intent` becomes certain; the others keep their order at half weight (so no later
    component sees two intents at 1.0 and calls it ambiguous)."""
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    rest = [
        {**r, PREDICTED_CONFIDENCE_KEY: float(r.get(PREDICTED_CONFIDENCE_KEY) or 0) / 2}
        for r in message.get("intent_ranking") or [] if r.get(INTENT_NAME_KEY) != intent
    ]
    message.set(INTENT, chosen, add_to_output=True)
    message.set("intent_ranking", [chosen, *rest], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ConversationCueGuard(GraphComponent):
    """What the citizen says about the conversation itself outranks the topic they mention.

    "Saya mau bicara dengan orang, bukan dengan mesin. Urusan tanah ..." asks for a person
    (the classifier started a complaint form); "bukan mau lapor, mau tanya syarat PBG" says the
    complaint form is the wrong place; "mau nanya" announces a question; a question about a
    service that describes no problem is a question, however much personal context it carries.
    Emergencies stay first.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ConversationCueGuard:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not text or str(text).startswith("/"):
                continue
            if intent == "bukan_laporan" and not says_not_a_report(str(text)):
                # Only the words "bukan/ga mau lapor" close a report; a question at the summary
                # ("oknumnya ga bakal tau kan?") or "tidak, buat laporan sendiri" must not.
                _demote(message, "bukan_laporan")
                intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if asks_for_a_person(str(text)) and precise_kind(str(text)) is None:
                # "Tolong sambungkan saya dengan petugas": the "tolong" is no emergency.
                _override(message, "bicara_petugas")
            elif intent == EMERGENCY:
                continue
            elif intent == "tanya_layanan" and gives_contact_details(str(text)) and "?" not in str(text):
                # An answer with a name and a number is never a knowledge question.
                _demote(message, "tanya_layanan")
            elif intent == "pilih_jadwal" and mentions_a_price(str(text)):
                _override(message, "cari_produk")
            elif change := booking_change(str(text)):
                _override(message, change)
            elif says_not_a_report(str(text)):
                _override(message, "bukan_laporan")
            elif is_bare_question_opener(str(text)):
                _override(message, "tanya_layanan")
            elif is_laughter(str(text)):
                _override(message, "salam")
            elif asks_a_question(str(text)) and not describes_a_problem(str(text)):
                confident_out_of_scope = intent == "out_of_scope" and _top_confidence(message) >= OUT_OF_SCOPE_SURE
                weak = _top_confidence(message) < WEAK
                if (intent in QUESTION_OVERRIDABLE or weak) and not confident_out_of_scope:
                    # "Saya kehilangan KTP ..., bagaimana caranya?" asks; the knowledge answer decides
                    # (and falls back to a polite refusal when the ranking said out of scope).
                    _override(message, "tanya_layanan")
            elif describes_a_problem(str(text)) and not asks_a_question(str(text)):
                if intent in REPORT_OVERRIDABLE or (intent == "lapor_pengaduan" and _top_confidence(message) < 1.0):
                    # A problem in the city, stated plainly, is a report even when the classifier hesitates.
                    _override(message, "lapor_pengaduan")
            elif intent == "lapor_pengaduan" and names_a_service(str(text)):
                # "Mohon diadakan fogging", "pengaktifan BPJS PBI belum ..." ask a service, not a dinas repair.
                _override(message, "tanya_layanan")
        return messages
