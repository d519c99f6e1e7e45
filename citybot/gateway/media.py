"""Media store: photos citizens send are kept under MEDIA_DIR and served by the gateway."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from citybot.gateway.photos import PhotoUnreadable, reencode
from citybot.media_links import media_base_url
from citybot.periodic import repeat_in_thread
from citybot.settings import Settings

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)

_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}
_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp|gif)$")
_MEDIA_TYPES = {ext: mime for mime, ext in _TYPES.items()}


class MediaRejected(Exception):
    """Not an image we accept, or too big."""


def sniff(data: bytes) -> str | None:
    """Trust the bytes, not the declared type: a citizen's file becomes a URL others open."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


class MediaStore:
    def __init__(self, settings: Settings) -> None:
        self.directory = Path(settings.media_dir)
        self.max_bytes = settings.gateway_media_max_bytes
        self.base_url = media_base_url(settings)
        self.retention_seconds = settings.gateway_media_retention_hours * 3600
        self.sweep_seconds = settings.gateway_media_sweep_seconds

    async def save_async(self, data: bytes) -> str:
        """`save` off the event loop: decoding and re-encoding a large photo takes tens of ms."""
        return await asyncio.to_thread(self.save, data)

    def save(self, data: bytes) -> str:
        """Store an image and return its public URL."""
        if len(data) > self.max_bytes:
            raise MediaRejected("too large")
        mime = sniff(data)
        if mime is None:
            raise MediaRejected("not an image")
        try:
            data, mime = reencode(data, mime)  # drops EXIF (GPS, device) and every other metadata
        except PhotoUnreadable as exc:
            raise MediaRejected("not an image") from exc
        self.directory.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + _TYPES[mime]
        (self.directory / name).write_bytes(data)
        return f"{self.base_url}/media/{name}"

    def sweep(self, now: float | None = None) -> int:
        """Delete stored photos older than the retention; returns how many went."""
        cutoff = (time.time() if now is None else now) - self.retention_seconds
        removed = 0
        if not self.directory.is_dir():
            return 0
        for path in self.directory.iterdir():
            try:
                if _NAME.match(path.name) and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # another gateway process swept it first
        return removed

    def path(self, name: str) -> Path | None:
        if not _NAME.match(name):
            return None
        path = self.directory / name
        return path if path.is_file() else None


async def sweep_forever(store: MediaStore, stop: asyncio.Event) -> None:
    """Photos are personal data: they expire (GATEWAY_MEDIA_RETENTION_HOURS), checked periodically."""

    def one_pass() -> None:
        try:
            removed = store.sweep()
            if removed:
                log.info("media expiry: %d photo(s) older than the retention deleted", removed)
        except OSError as exc:
            log.warning("media expiry failed: %s", exc)

    await repeat_in_thread(one_pass, store.sweep_seconds, stop)


router = APIRouter(include_in_schema=False)


@router.get("/media/{name}")
async def media_file(name: str, request: Request) -> FileResponse:
    store: MediaStore = request.app.state.media
    path = store.path(name)
    if path is None:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(
        path,
        media_type=_MEDIA_TYPES[path.suffix],
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"},
    )
