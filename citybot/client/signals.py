"""Conversation signals: the action server records what it could not answer and which
emergencies it answered; editors and supervisors read them back.

Recording is fire-and-forget (like `citybot.client.knowledge`): one attempt with a short timeout
on a task of its own, so a slow or absent backend never delays or breaks the reply a citizen is
waiting for. The text is masked here before it leaves the process, and again by the backend.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Literal

from pydantic import BaseModel, Field

from citybot.client.background import backend_target, post_quietly, schedule
from citybot.client.transport import ApiTransport
from citybot.privacy import mask_personal

log = logging.getLogger(__name__)
SIGNALS_PATH = "/api/v1/signals"
TEXT_LIMIT = 500
MAX_DOCS = 5
SignalKind = Literal["emergency", "not_understood", "low_confidence", "negative_feedback", "handoff"]


class ClosestDoc(BaseModel):
    id: str
    score: float


class UnansweredSignal(BaseModel):
    kind: SignalKind
    text: str
    closest_docs: list[ClosestDoc] = Field(default_factory=list)
    created_at: dt.datetime


class UnansweredPage(BaseModel):
    items: list[UnansweredSignal]


class EmergencyCount(BaseModel):
    type: str
    kelurahan: str | None
    count: int


class EmergencyDay(BaseModel):
    day: dt.date
    type: str
    count: int


class EmergencyReport(BaseModel):
    today: list[EmergencyCount]
    week: list[EmergencyCount]
    by_day: list[EmergencyDay]


def signal_body(
    kind: SignalKind,
    text: str = "",
    *,
    subtype: str = "",
    kelurahan: str | None = None,
    channel: str = "",
    closest_docs: list[tuple[str, float]] | None = None,
) -> dict[str, object]:
    """The JSON the backend takes; the text is masked and cut before it is sent."""
    return {
        "kind": kind,
        "subtype": subtype,
        "kelurahan": (kelurahan or "").strip()[:120] or None,
        "channel": channel[:16],
        "text": mask_personal(" ".join(text.split()))[:TEXT_LIMIT],
        "closest_docs": [{"id": d, "score": round(float(s), 4)} for d, s in (closest_docs or [])[:MAX_DOCS]],
    }


async def record_signal(
    body: dict[str, object],
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    http_timeout: float | None = None,
) -> bool:
    """POST one signal; True when the backend took it. Never raises."""
    from citybot.settings import get_settings

    url, key = backend_target(base_url, api_key)
    limit = http_timeout if http_timeout is not None else get_settings().signals_timeout_seconds
    return await post_quietly(f"{url}{SIGNALS_PATH}", key, body, limit, f"signal {body.get('kind')}")


def record_signal_later(kind: SignalKind, text: str = "", **fields: object) -> None:
    """Schedule `record_signal` on the running event loop and return at once; never raises."""
    from citybot.settings import get_settings

    try:
        if not get_settings().backend_api_key:
            return  # no backend configured: it would refuse an unkeyed call anyway
        body = signal_body(kind, text, **fields)  # type: ignore[arg-type]
    except Exception as exc:  # a signal must never cost the citizen their reply
        log.debug("signal %s not recorded: %s", kind, type(exc).__name__)
        return
    schedule(lambda: record_signal(body), f"signal {kind}")


class SignalsClient(ApiTransport):
    """Reading signals back: a bearer token of an editor or supervisor (agent console, CLI)."""

    async def unanswered(self, token: str, *, since_days: int = 7, limit: int = 2000) -> UnansweredPage:
        params = {"since_days": since_days, "limit": limit}
        data = await self._get("/api/v1/agent/signals/unanswered", params, headers=self._bearer(token))
        return self._as(UnansweredPage, data)

    async def emergencies(self, token: str, *, days: int = 7) -> EmergencyReport:
        data = await self._get("/api/v1/agent/insight/emergencies", {"days": days}, headers=self._bearer(token))
        return self._as(EmergencyReport, data)
