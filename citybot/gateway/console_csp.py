"""The agent console page's Content-Security-Policy.

Scripts, styles and data come from the gateway itself (the map and chart libraries are vendored
under /static/vendor); images also from the configured map tile server's origin (MAP_TILE_URL)
and the media links' origin (citizens' photos, `media_base_url`). Inline styles stay allowed: the page and
Leaflet position elements with them; inline scripts do not.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from citybot.media_links import media_base_url
from citybot.settings import Settings


def origin(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL (a tile template's `{s}` subdomain becomes `*`)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}"


def console_csp(settings: Settings) -> str:
    images = ["'self'", "data:", "blob:"]
    for url in (settings.map_tile_url, media_base_url(settings)):
        found = origin(url) if url else None
        if found and found not in images:
            images.append(found)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src " + " ".join(images),
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
