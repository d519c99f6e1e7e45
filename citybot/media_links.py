"""Which photo links the assistant accepts: only files of the gateway's own media store.

A photo link travels as a button payload (`/kirim_foto{"media_url": ...}`) that a citizen can
type with any URL in it. A foreign link stored with a complaint would be opened by agents'
browsers and by anything that later fetches complaint photos: a tracking pixel, a link into the
city's internal network, `file:` or metadata addresses (SSRF). The gateway names every file it
stores `<its public URL>/media/<32 hex>.<ext>`, so that exact shape is all that is accepted, by
the action server and again by the backend. Standard library only (actions and backend use it).
"""

from __future__ import annotations

import re

from citybot.settings import Settings

_FILE = r"/media/[0-9a-f]{32}\.(?:jpg|png|webp|gif)"


def media_base_url(settings: Settings) -> str:
    base = settings.gateway_public_url or f"http://127.0.0.1:{settings.gateway_port}"
    return base.rstrip("/")


def is_own_media_url(url: str, settings: Settings) -> bool:
    return re.fullmatch(re.escape(media_base_url(settings)) + _FILE, url.strip()) is not None
