"""The city the assistant serves: its backend client, channels, name, time zone and numbers.

Every action reads city values through `city_values()`, so where they come from (settings
today) is decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from citybot.client import CityClient
from citybot.settings import get_settings

# The platforms the gateway names in message metadata; anything else is treated as the default.
KNOWN_CHANNELS = frozenset({"telegram", "whatsapp", "web", "sms", "email", "phone", "agent"})
DEFAULT_CHANNEL = "web"  # `rasa shell` and story tests carry no metadata


@dataclass(frozen=True)
class CityValues:
    name: str
    timezone: str
    emergency_numbers: dict[str, str]  # the variables of the `utter_darurat*` responses
    emergency_number: str


def city_values() -> CityValues:
    s = get_settings()
    return CityValues(
        name=s.city_name,
        timezone=s.city_timezone,
        emergency_number=s.emergency_number,
        emergency_numbers={
            "nomor_darurat": s.emergency_number,
            "nomor_ambulans": s.ambulance_number,
            "nomor_damkar": s.fire_number,
            "nomor_polisi": s.police_number,
            "nomor_sar": s.sar_number,
            "nomor_sapa": s.women_child_protection_number,
            "kontak_bpbd": s.disaster_agency_contact,
        },
    )


def city_client(attempts: int = 3) -> CityClient:
    """A client of the city backend with the bounded timeout from settings; use it in `async with`
    (which closes it). Nothing is opened at import."""
    return CityClient(attempts=attempts)
