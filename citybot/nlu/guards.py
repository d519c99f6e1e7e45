"""Requests that must be explicit: the classifier alone never opens the data-rights flows.

Real citizens' long messages carry personal context ("KTP saya hilang, domisili saya ...");
the classifier read that as `lihat_data_saya` with 0.99 confidence. Showing or deleting a
citizen's records is only offered when the words ask for it (`request_cues.asks_for_own_data`);
otherwise the next intent in the ranking stands, and the fallback classifier after this
component still judges its confidence.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from citybot.nlu.emergency_patterns import precise_kind
from citybot.nlu.ranking import RuleComponent, drop, override, top_confidence
from citybot.nlu.request_cues import (
    DATA_RIGHTS_INTENTS,
    QUESTION_OVERRIDABLE,
    REPORT_OVERRIDABLE,
    SPECIFIC_ANSWER_INTENTS,
    about_a_private_business,
    asks_a_question,
    asks_for_a_person,
    asks_for_own_data,
    booking_change,
    describes_a_problem,
    gives_contact_details,
    is_bare_question_opener,
    is_laughter,
    mentions_a_price,
    names_a_city_matter,
    names_a_public_place,
    names_a_service,
    outside_city_services,
    reports_with_a_reproach,
    says_not_a_report,
    short_answer,
)

EMERGENCY = "darurat"
# An out-of-scope verdict this sure is kept even when the message carries a question mark.
OUT_OF_SCOPE_SURE = 0.5
# Leaning this way, an out-of-scope verdict stands when the question names no city service,
# office or public place ("ibu kota Kanada apa?", "cara move on dari mantan gimana").
OUT_OF_SCOPE_LEANING = 0.35
# Below this the classifier has no real opinion; a question cue then decides.
WEAK = 0.3
# "siapa namamu?", "kamu bisa bantu apa aja?", "apa kabar min": questions about the chat itself.
# A short one the classifier is this sure of keeps its small-talk reply instead of a knowledge search.
# Intents a company grievance or a trade among people is taken out of (the polite refusal names
# what the city does instead); the catalogue keeps its sellers and products.
OUTSIDE_OVERRIDABLE = frozenset({"lapor_pengaduan", "tanya_layanan", "tidak_jelas"})
SMALL_TALK = frozenset({"chitchat", "tanya_kemampuan"})
SMALL_TALK_SURE = 0.5
SMALL_TALK_MAX_WORDS = 10


def is_small_talk(message: Message, text: str) -> bool:
    """A short question about the assistant itself, read so by a sure classifier; a service named
    in it ("kamu bisa bantu urus KTP?") makes it a question for the knowledge answer again."""
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    return (
        intent in SMALL_TALK
        and top_confidence(message) >= SMALL_TALK_SURE
        and len(text.split()) <= SMALL_TALK_MAX_WORDS
        and not names_a_service(text)
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ExplicitDataRightsGuard(RuleComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = message.get(INTENT) or {}
            if not text or intent.get(INTENT_NAME_KEY) not in DATA_RIGHTS_INTENTS or asks_for_own_data(str(text)):
                continue
            drop(message, DATA_RIGHTS_INTENTS)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ShortAnswerGuard(RuleComponent):
    """ "y", "iya tampilin", "ya hapus" are a yes wherever a yes is asked for.

    The classifier read "ya hapus" as a goodbye, so a citizen who confirmed a deletion was
    told "Sampai jumpa" and nothing was deleted. Intents that already give a short answer its
    meaning (batal, kirim, lewati, ...) are left alone.
    """

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
            override(message, answer)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ConversationCueGuard(RuleComponent):
    """What the citizen says about the conversation itself outranks the topic they mention.

    "Saya mau bicara dengan orang, bukan dengan mesin. Urusan tanah ..." asks for a person
    (the classifier started a complaint form); "bukan mau lapor, mau tanya syarat PBG" says the
    complaint form is the wrong place; "mau nanya" announces a question; a question about a
    service that describes no problem is a question, however much personal context it carries.
    Emergencies stay first.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not text or str(text).startswith("/"):
                continue
            if intent == "bukan_laporan" and not says_not_a_report(str(text)):
                # Only the words "bukan/ga mau lapor" close a report; a question at the summary
                # ("oknumnya ga bakal tau kan?") or "tidak, buat laporan sendiri" must not.
                drop(message, {"bukan_laporan"})
                intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if asks_for_a_person(str(text)) and precise_kind(str(text)) is None:
                # "Tolong sambungkan saya dengan petugas": the "tolong" is no emergency.
                override(message, "bicara_petugas")
            elif (
                intent in OUTSIDE_OVERRIDABLE | {EMERGENCY}
                and outside_city_services(str(text))
                and precise_kind(str(text)) is None
            ):
                # "Telkomsel tolong revisi harga paketnya", "WTS tiket kereta, PC ya": no city service
                # (and no danger the rule net can name, whatever the classifier leaned to).
                override(message, "out_of_scope")
            elif intent == EMERGENCY:
                continue
            elif intent == "tanya_layanan" and gives_contact_details(str(text)) and "?" not in str(text):
                # An answer with a name and a number is never a knowledge question.
                drop(message, {"tanya_layanan"})
            elif intent == "pilih_jadwal" and mentions_a_price(str(text)):
                override(message, "cari_produk")
            elif change := booking_change(str(text)):
                override(message, change)
            elif says_not_a_report(str(text)):
                override(message, "bukan_laporan")
            elif is_bare_question_opener(str(text)):
                override(message, "tanya_layanan")
            elif is_laughter(str(text)):
                override(message, "salam")
            elif is_small_talk(message, str(text)):
                continue
            elif intent in REPORT_OVERRIDABLE and reports_with_a_reproach(str(text)):
                # "banjir lagi di jl. X, kapan kalinya dilebarkan": a report, whatever the "kapan".
                override(message, "lapor_pengaduan")
            elif asks_a_question(str(text)) and not describes_a_problem(str(text)):
                confident_out_of_scope = intent == "out_of_scope" and (
                    top_confidence(message) >= OUT_OF_SCOPE_SURE
                    or (top_confidence(message) >= OUT_OF_SCOPE_LEANING and not names_a_city_matter(str(text)))
                )
                weak = top_confidence(message) < WEAK
                if (intent in QUESTION_OVERRIDABLE or weak) and not confident_out_of_scope:
                    # "Saya kehilangan KTP ..., bagaimana caranya?" asks; the knowledge answer decides
                    # (and falls back to a polite refusal when the ranking said out of scope).
                    override(message, "tanya_layanan")
            elif describes_a_problem(str(text)) and not asks_a_question(str(text)):
                confident_out_of_scope = intent == "out_of_scope" and top_confidence(message) >= OUT_OF_SCOPE_SURE
                if about_a_private_business(str(text)):
                    # "Kamar hotelnya kotor dan bau": a customer's grievance with a company, no city report.
                    continue
                if confident_out_of_scope and not names_a_public_place(str(text)):
                    # A sure "out of scope" stands unless the problem is in a street, drain, park, RW ...
                    continue
                if intent in REPORT_OVERRIDABLE or (intent == "lapor_pengaduan" and top_confidence(message) < 1.0):
                    # A problem in the city, stated plainly, is a report even when the classifier hesitates.
                    override(message, "lapor_pengaduan")
            elif intent == "lapor_pengaduan" and names_a_service(str(text)):
                # "Mohon diadakan fogging", "pengaktifan BPJS PBI belum ..." ask a service, not a dinas repair.
                override(message, "tanya_layanan")
        return messages
