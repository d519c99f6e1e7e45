"""Map points in a complaint: coordinates and map links typed in chat, and whether they lie in
the area the city serves.

Citizens paste what their phone gives them: "-6.2088, 106.8456", a long Google Maps link
("…/maps/place/…/@-6.2,106.8,17z", "…?q=-6.2,106.8") or a short share link
(maps.app.goo.gl/…). Short links are resolved by following their redirects, only ever to map
hosts (`MAP_LINK_HOSTS`), reading headers and never a page body, so a pasted link cannot make the
action server fetch anything else.
"""

from __future__ import annotations

import logging
import math
import re
from urllib.parse import unquote, urljoin, urlparse

import httpx

from citybot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

_NUMBER = r"[-+]?\d{1,3}\.\d{3,10}"
_PAIR = re.compile(rf"(?<![\d.])({_NUMBER})\s*,\s*({_NUMBER})(?![\d.])")
# Google's place links carry the pin exactly as !3d<lat>!4d<long>; "@lat,long" is the view centre.
_PIN = re.compile(rf"!3d({_NUMBER})!4d({_NUMBER})")
_AT = re.compile(rf"@({_NUMBER}),({_NUMBER})")
_URL = re.compile(r"https?://[^\s<>\"']{4,500}", re.I)
_MAX_REDIRECTS = 4


def _valid(lat: float, long: float) -> tuple[float, float] | None:
    if math.isfinite(lat) and math.isfinite(long) and -90 <= lat <= 90 and -180 <= long <= 180:
        return lat, long
    return None


def point_in_text(text: str) -> tuple[float, float] | None:
    """Coordinates written in a message or in a long map link, without any network call."""
    text = unquote(text[:1000])
    for pattern in (_PIN, _AT, _PAIR):
        match = pattern.search(text)
        if match:
            return _valid(float(match.group(1)), float(match.group(2)))
    return None


def map_link_in(text: str, settings: Settings | None = None) -> str | None:
    """The first link in the text that points at a map host."""
    hosts = _hosts(settings or get_settings())
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(").,!?")
        if (urlparse(url).hostname or "").lower() in hosts:
            return url
    return None


def _hosts(settings: Settings) -> set[str]:
    return {h.strip().lower() for h in settings.map_link_hosts.split(",") if h.strip()}


async def resolve_map_link(url: str, settings: Settings | None = None) -> tuple[float, float] | None:
    """Follow a short map link's redirects (map hosts only, headers only) to the coordinates."""
    settings = settings or get_settings()
    hosts = _hosts(settings)
    async with httpx.AsyncClient(timeout=settings.http_timeout_seconds, follow_redirects=False) as client:
        for _ in range(_MAX_REDIRECTS + 1):
            point = point_in_text(url)
            if point:
                return point
            parsed = urlparse(url)
            if parsed.scheme not in {"http", "https"} or (parsed.hostname or "").lower() not in hosts:
                return None
            try:
                async with client.stream("GET", url) as response:
                    location = response.headers.get("location")
            except httpx.HTTPError as exc:
                logger.info("map link not resolved: %s", type(exc).__name__)
                return None
            if not location:
                return None
            url = urljoin(url, location)
    return None
