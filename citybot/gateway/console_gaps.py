"""The console's gap report for editors and supervisors: what citizens asked that the assistant
could not answer, grouped by meaning (`citybot.retrieval.gaps`), with a knowledge stub per group.

The masked questions come from the city backend with the agent's own backend token (the backend
checks the role again); grouping embeds them with the retrieval's model, on a worker thread so
the event loop keeps serving the console and the citizens' channels meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from citybot.client.errors import CityClientError
from citybot.client.signals import SignalsClient, UnansweredPage
from citybot.gateway.console import Agent
from citybot.gateway.console_panels import _city_error
from citybot.settings import Settings

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
router = APIRouter(prefix="/agent", include_in_schema=False)
# The newest this many questions: embedding takes ~60 ms each on one core the first time they
# are seen (the embedder keeps recent query vectors, so the next report is quick). 500 keeps a
# cold report near 30 s, inside the 60 s the example nginx allows; the CLI reads more.
FETCH_LIMIT = 500


def _group(settings: Settings, page: UnansweredPage) -> list[dict[str, Any]]:
    from citybot.retrieval.gaps import Question, grouper_for

    grouper = grouper_for(
        Path(settings.index_dir),
        settings.embedding_backend,
        settings.embedding_model,
        Path(settings.knowledge_dir),
        Path(settings.retrieval_cache_dir),
    )
    questions = [
        Question(item.text, item.kind, tuple((d.id, d.score) for d in item.closest_docs)) for item in page.items
    ]
    today = dt.datetime.now(ZoneInfo(settings.city_timezone)).date()
    return [group.as_json() for group in grouper.group(questions, today=today)]


@router.get("/api/gaps", response_model=None)
async def gaps(
    request: Request, agent: Agent, since_days: Annotated[int, Query(ge=1, le=366)] = 7
) -> dict[str, Any] | JSONResponse:
    if not agent.can_read_gaps:
        raise HTTPException(
            status_code=403, detail="Laporan pertanyaan belum terjawab hanya untuk editor dan supervisor."
        )
    if not agent.backend_token:
        raise HTTPException(status_code=409, detail="Akun ini tidak terhubung ke sistem kota.")
    settings: Settings = request.app.state.hub.settings
    try:
        async with SignalsClient(
            settings.backend_base_url, settings.backend_api_key, timeout=settings.http_timeout_seconds
        ) as backend:
            page = await backend.unanswered(agent.backend_token, since_days=since_days, limit=FETCH_LIMIT)
    except CityClientError as exc:
        return _city_error(exc)
    try:
        groups = await asyncio.to_thread(_group, settings, page)
    except Exception:  # a missing model must not break the console: say so, keep the rest working
        log.exception("gap grouping failed")
        return JSONResponse({"code": "grouping_failed", "message": "Pengelompokan pertanyaan gagal."}, 503)
    return {"groups": groups, "total": len(page.items), "since_days": since_days}
