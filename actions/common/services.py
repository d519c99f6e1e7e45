"""Which of the optional services this city offers, and what the assistant says where it does not.

One trained model serves every city, so a citizen can ask for HomeCare in a city without it.
Each entry action asks `offered_or_explain()` first: where the service is missing it explains
which cities run it and what this city has instead, and the conversation returns to listening
(no form starts). The menu reads the same profile, so it never offers a missing service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common.city import city_profile, city_values
from actions.common.responses import optional_text, response_text
from citybot.city_profile import all_profiles

Service = Literal["homecare", "catalogue", "permit_status", "transport_info"]


def offers(service: Service) -> bool:
    return city_profile().offers(service)


def cities_offering(service: Service) -> list[str]:
    """Names of every city whose profile offers `service`, in profile order."""
    return [p.name for p in all_profiles() if p.offers(service)]


def name_list(domain: Mapping[str, Any], names: list[str]) -> str:
    """ "Kota Makassar", "Kota A dan Kota B", "Kota A, Kota B, dan Kota C"."""
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return response_text(domain, "utter_daftar_dua", pertama=names[0], kedua=names[1])
    return response_text(domain, "utter_daftar_banyak", awal=", ".join(names[:-1]), akhir=names[-1])


def explain_unavailable(dispatcher: CollectingDispatcher, domain: Mapping[str, Any], service: Service) -> None:
    """Says that `service` is not run here, who runs it, and what this city offers instead
    (the buttons of `utter_alternatif_<service>`)."""
    city = city_profile()
    label = response_text(domain, f"utter_nama_layanan_{service}")
    others = cities_offering(service)
    if others:
        dispatcher.utter_message(
            response="utter_layanan_kota_lain", layanan=label, kota=city.name, penyelenggara=name_list(domain, others)
        )
    else:
        dispatcher.utter_message(response="utter_layanan_belum_ada", layanan=label, kota=city.name)
    if optional_text(domain, f"utter_alternatif_{service}") is not None:
        dispatcher.utter_message(
            response=f"utter_alternatif_{service}", kota=city.name, **city_values().emergency_numbers
        )


def offered_or_explain(
    dispatcher: CollectingDispatcher, domain: Mapping[str, Any], service: Service
) -> list[EventType] | None:
    """None when the city offers `service`; otherwise the explanation is sent and the returned
    events end the turn, so a rule's next step (a form) does not run."""
    if offers(service):
        return None
    explain_unavailable(dispatcher, domain, service)
    return [FollowupAction("action_listen")]
