"""JakEvo permit application status by application number."""

from __future__ import annotations

import logging
import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.city import city_client, city_values
from actions.common.dates import tanggal, waktu_lengkap
from actions.common.responses import response_text
from actions.common.services import offered_or_explain
from actions.common.tracker import latest_text
from citybot.client import CityClientError, NotFound

log = logging.getLogger(__name__)

# The backend's numbers: JAKEVO-2026-000101 (Jakarta) and <CITY>-IZIN-2026-00051 elsewhere.
# The same pattern is the `nomor_izin` regex in nlu_data/perizinan.yml.
NUMBER = re.compile(r"\b(JAKEVO|[A-Z]{2,5}[\s-]IZIN)[\s-]?(\d{4})[\s-]?(\d{5,6})\b", re.IGNORECASE)


def normalise_number(text: str) -> str | None:
    match = NUMBER.search(text or "")
    if not match:
        return None
    prefix = re.sub(r"[\s-]+", "-", match.group(1).upper())
    return f"{prefix}-{match.group(2)}-{match.group(3)}"


class ActionCekIzin(Action):
    """Looks the number up when the message has one; otherwise asks for it (the next message with
    a number is classified `cek_izin` again)."""

    def name(self) -> str:
        return "action_cek_izin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        unavailable = offered_or_explain(dispatcher, domain, "permit_status")
        if unavailable is not None:
            return unavailable
        entity = next(tracker.get_latest_entity_values("nomor_izin"), None)
        number = normalise_number(str(entity or "")) or normalise_number(latest_text(tracker))
        if number is None:
            if entity or re.search(r"\d{4,}", latest_text(tracker)):
                dispatcher.utter_message(response="utter_izin_nomor_tidak_valid")
            else:
                dispatcher.utter_message(response="utter_ask_nomor_izin")
            return []
        try:
            async with city_client() as city:
                permit = await city.permit_status(number)
        except NotFound:
            dispatcher.utter_message(response="utter_izin_tidak_ditemukan", nomor=number)
            return [SlotSet("nomor_izin", None)]
        except CityClientError:
            log.warning("permit_status failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return []
        tz_name = city_values().timezone
        last_note = permit.history[-1].note if permit.history else ""
        dispatcher.utter_message(
            response="utter_izin_status",
            nomor=permit.application_number,
            jenis=permit.permit_type,
            pemohon=permit.applicant_name,
            status=permit.status_label,
            diajukan=waktu_lengkap(permit.submitted_at, tz_name),
            perkiraan=tanggal(permit.estimated_completion)
            if permit.estimated_completion
            else response_text(domain, "utter_izin_belum_ada_perkiraan"),
            catatan=response_text(domain, "utter_izin_catatan", catatan=last_note) if last_note else "",
        )
        return [SlotSet("nomor_izin", permit.application_number)]
