"""The gateway's one internal message shape, whatever channel it came from."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field

MAX_TEXT_CHARS = 4000


class Button(BaseModel):
    title: str
    payload: str


class Reply(BaseModel):
    text: str | None = None
    buttons: list[Button] = Field(default_factory=list)
    image: str | None = None
    custom: dict[str, Any] | None = None


class WebMessage(BaseModel):
    """Body of `POST /api/messages` (web widget and tests); who sends it is the client id header."""

    text: str | None = Field(default=None, max_length=20_000)
    payload: str | None = Field(default=None, max_length=2_000)


class RepliesOut(BaseModel):
    replies: list[Reply]


# A lone UTF-16 surrogate is valid in a JSON escape ("\ud800") but not in UTF-8: no database or
# Rasa request can carry it, so it becomes the replacement character instead of a server error.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """NUL bytes break PostgreSQL text columns and mean nothing to a citizen."""
    return _LONE_SURROGATE.sub("\ufffd", text.replace("\x00", "")).strip()


def replies_from_rasa(items: list[dict[str, Any]]) -> list[Reply]:
    replies: list[Reply] = []
    for item in items:
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", ""))) for b in item.get("buttons") or []
        ]
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else None
        reply = Reply(text=item.get("text"), buttons=buttons, image=item.get("image"), custom=custom)
        if reply.text or reply.buttons or reply.image or reply.custom:
            replies.append(reply)
    return replies


def location_message(latitude: float, longitude: float) -> str:
    """A shared location as Rasa sees it (intent with entities, no NLU guesswork)."""
    return "/kirim_lokasi" + json.dumps({"latitude": float(latitude), "longitude": float(longitude)})


def photo_message(media_url: str) -> str:
    return "/kirim_foto" + json.dumps({"media_url": media_url}, ensure_ascii=False)
