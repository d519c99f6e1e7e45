"""The city the assistant serves: its backend client, channels, name, time zone and numbers.

Every action reads city values through `city_values()` (the active city profile), so where they
come from is decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from actions.common.dates import zone_label
from citybot.city_profile import CityProfile, get_profile
from citybot.client import CityClient

# The platforms the gateway names in message metadata; anything else is treated as the default.
KNOWN_CHANNELS = frozenset({"telegram", "whatsapp", "web", "sms", "email", "phone", "agent"})
DEFAULT_CHANNEL = "web"  # `rasa shell` and story tests carry no metadata


@dataclass(frozen=True)
class CityValues:
    name: str
    assistant_name: str
    code: str
    jurisdiction_id: str  # Open311 jurisdiction of this city's complaints
    timezone: str
    zone_label: str  # WIB, WITA or WIT
    emergency_numbers: dict[str, str]  # the variables of the `utter_darurat*` responses
    emergency_number: str


def city_profile() -> CityProfile:
    """The active city profile (setting CITY_PROFILE), read once per process."""
    return get_profile()


def city_values() -> CityValues:
    p = city_profile()
    n = p.numbers
    return CityValues(
        name=p.name,
        assistant_name=p.assistant_name,
        code=p.code,
        jurisdiction_id=p.jurisdiction_id,
        timezone=p.timezone,
        zone_label=zone_label(p.timezone),
        emergency_number=n.emergency,
        emergency_numbers={
            "nomor_darurat": n.emergency,
            "nomor_ambulans": n.ambulance,
            "nomor_damkar": n.fire,
            "nomor_polisi": n.police,
            "nomor_sar": n.sar,
            "nomor_sapa": n.women_child_protection,
            "kontak_bpbd": n.disaster_agency,
        },
    )


def city_client(attempts: int = 3) -> CityClient:
    """A client of the city backend with the bounded timeout from settings; use it in `async with`
    (which closes it). Nothing is opened at import."""
    return CityClient(attempts=attempts)
