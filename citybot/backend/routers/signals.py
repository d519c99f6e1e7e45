"""Conversation signals: the action server records them (API key); supervisors read emergency
counts, editors and supervisors read the unanswered questions (bearer token with a role)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, field_validator

from citybot.backend.deps import DB, AppSettings, EditorOrSupervisor, ReadSession, Supervisor, require_api_key
from citybot.backend.schemas import ErrorOut
from citybot.backend.services import signals
from citybot.client.signals import EmergencyReport, UnansweredPage

record_router = APIRouter(
    prefix="/api/v1",
    tags=["Sinyal percakapan"],
    dependencies=[Depends(require_api_key)],
    responses={code: {"model": ErrorOut} for code in (401, 422)},
)
read_router = APIRouter(
    prefix="/api/v1/agent",
    tags=["Sinyal percakapan"],
    responses={code: {"model": ErrorOut} for code in (401, 403, 422)},
)


class ClosestDocIn(BaseModel):
    id: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")
    score: float = Field(ge=-1000, le=1000)

    @field_validator("score")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("score must be a finite number")
        return value


class SignalIn(BaseModel):
    kind: Literal["emergency", "not_understood", "low_confidence", "negative_feedback", "handoff"]
    subtype: str = Field(default="", max_length=32, pattern=r"^[a-z_]*$")
    kelurahan: str | None = Field(default=None, max_length=120)
    channel: str = Field(default="", max_length=16, pattern=r"^[a-z]*$")
    # Up to 2000 accepted; what is stored is masked first, then cut to 500 characters.
    text: str = Field(default="", max_length=2000)
    closest_docs: list[ClosestDocIn] = Field(default_factory=list, max_length=10)


@record_router.post("/signals", status_code=202, summary="Record a conversation signal (masked, no identity)")
def record(db: DB, settings: AppSettings, body: SignalIn) -> dict[str, str]:
    # A repeated request only adds one to a count, so no Idempotency-Key is asked for.
    with db.writing() as session:
        signals.record(
            session,
            jurisdiction=settings.jurisdiction_id,
            kind=body.kind,
            subtype=body.subtype,
            kelurahan=body.kelurahan,
            channel=body.channel,
            text=body.text,
            closest_docs=[d.model_dump() for d in body.closest_docs],
        )
    return {"status": "recorded"}


@read_router.get(
    "/insight/emergencies", response_model=EmergencyReport, summary="Emergency replies by type and kelurahan"
)
def emergencies(
    session: ReadSession,
    settings: AppSettings,
    agent: Supervisor,
    days: Annotated[int, Query(ge=1, le=31)] = 7,
) -> EmergencyReport:
    return signals.emergencies(session, settings.jurisdiction_id, settings.city_timezone, days)


@read_router.get(
    "/signals/unanswered", response_model=UnansweredPage, summary="Masked questions the assistant could not answer"
)
def unanswered(
    session: ReadSession,
    settings: AppSettings,
    agent: EditorOrSupervisor,
    since_days: Annotated[int, Query(ge=1, le=366)] = 7,
    limit: Annotated[int, Query(ge=1, le=5000)] = 2000,
) -> UnansweredPage:
    return signals.unanswered(session, settings.jurisdiction_id, since_days, limit)
