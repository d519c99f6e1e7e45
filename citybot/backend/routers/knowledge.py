"""Internal: the action server records knowledge answers; editors read the most shown documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from citybot.backend.deps import DB, ReadSession, require_api_key
from citybot.backend.schemas import ErrorOut
from citybot.backend.services import knowledge_stats
from citybot.client.knowledge import ShownReport

router = APIRouter(
    prefix="/api/v1/knowledge",
    tags=["Pengetahuan"],
    dependencies=[Depends(require_api_key)],
    responses={code: {"model": ErrorOut} for code in (401, 422)},
)


class ShownIn(BaseModel):
    doc_id: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")


@router.post("/shown", status_code=202, summary="Record that a citizen was shown a knowledge document")
def shown(db: DB, body: ShownIn) -> dict[str, str]:
    # A repeated request only adds one to a count, so no Idempotency-Key is asked for.
    with db.writing() as session:
        knowledge_stats.record(session, body.doc_id)
    return {"status": "recorded"}


@router.get("/shown", response_model=ShownReport, summary="Documents most shown to citizens")
def most_shown(
    session: ReadSession,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> ShownReport:
    return knowledge_stats.most_shown(session, days, limit)
