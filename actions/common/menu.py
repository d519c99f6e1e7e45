"""The service menu of the active city: one domain response per entry, shown where it is offered.

Each entry `utter_menu_<entry>` holds the entry's line of the menu text and its buttons, so every
word stays in the domain; the profile only decides which entries appear.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.common.city import city_profile
from actions.common.responses import response_text
from actions.common.services import Service, offers

# Entries in menu order, with the optional service each needs (None: every city has it).
MENU: tuple[tuple[str, Service | None], ...] = (
    ("lapor", None),
    ("info", None),
    ("izin", "permit_status"),
    ("transportasi", "transport_info"),
    ("homecare", "homecare"),
    ("produk", "catalogue"),
    ("petugas", None),
)


def menu_entries() -> list[str]:
    return [entry for entry, service in MENU if service is None or offers(service)]


def _unescape(payload: str) -> str:
    # Domain payloads write JSON braces doubled (Rasa fills single braces from slots); buttons an
    # action sends are passed on as they are, so they need the plain braces.
    return payload.replace("{{", "{").replace("}}", "}")


def menu_buttons(domain: Mapping[str, Any]) -> list[dict[str, str]]:
    buttons: list[dict[str, str]] = []
    for entry in menu_entries():
        for variant in domain.get("responses", {}).get(f"utter_menu_{entry}") or []:
            for button in variant.get("buttons") or []:
                buttons.append({"title": str(button["title"]), "payload": _unescape(str(button["payload"]))})
            break
    return buttons


def menu_lines(domain: Mapping[str, Any]) -> str:
    """The "• ..." lines of the menu text, one per offered entry."""
    return "\n".join("• " + response_text(domain, f"utter_menu_{entry}") for entry in menu_entries())


def send_with_menu(dispatcher: CollectingDispatcher, domain: Mapping[str, Any], response: str, **values: Any) -> None:
    """Sends `response` with this city's menu buttons; in its text `{daftar_layanan}` gets the
    lines and `{kota}` the city's name."""
    values.setdefault("kota", city_profile().name)
    dispatcher.utter_message(
        response=response, buttons=menu_buttons(domain), daftar_layanan=menu_lines(domain), **values
    )
