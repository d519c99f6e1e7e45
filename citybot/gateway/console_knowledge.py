"""The console's Pengetahuan tab: the editors' review report, for editors and supervisors.

Same report as ``python -m citybot.retrieval review``: documents by review age, passed dates,
documents without sources, and the documents citizens were shown most in the last 30 days
(counted by the city backend; when it cannot be reached the tab says so and shows the rest).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request

from citybot.client.errors import BackendUnavailable, CityClientError, Unauthorized
from citybot.client.knowledge import most_shown
from citybot.gateway.console import Agent
from citybot.retrieval.review import MostShown, review, review_json
from citybot.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(prefix="/agent", include_in_schema=False)
SHOWN_DAYS = 30


async def _most_shown(settings: Settings) -> MostShown:
    try:
        report = await most_shown(
            days=SHOWN_DAYS,
            limit=20,
            base_url=settings.backend_base_url,
            api_key=settings.backend_api_key,
            http_timeout=settings.http_timeout_seconds,
        )
    except BackendUnavailable:
        return MostShown(SHOWN_DAYS, error="Sistem kota sedang tidak bisa dihubungi.")
    except Unauthorized:
        return MostShown(SHOWN_DAYS, error="Sistem kota menolak kunci API gateway.")
    except CityClientError as exc:
        log.warning("most shown documents unavailable: %s", exc)
        return MostShown(SHOWN_DAYS, error="Sistem kota menjawab galat.")
    return MostShown(SHOWN_DAYS, [(item.doc_id, item.count) for item in report.items])


@router.get("/api/knowledge/review")
async def knowledge_review(request: Request, agent: Agent) -> dict[str, Any]:
    if not (agent.is_supervisor or agent.role == "editor"):
        raise HTTPException(status_code=403, detail="Laporan pengetahuan hanya untuk editor dan supervisor.")
    settings: Settings = request.app.state.hub.settings
    today = dt.datetime.now(ZoneInfo(settings.city_timezone)).date()
    result, shown = await asyncio.gather(
        asyncio.to_thread(review, Path(settings.knowledge_dir), today, settings.knowledge_review_max_age_months),
        _most_shown(settings),
    )
    return review_json(result, shown)
