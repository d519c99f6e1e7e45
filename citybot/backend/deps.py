"""FastAPI dependencies: database sessions, settings, API key and agent authentication."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from citybot.backend.db import Database
from citybot.backend.errors import ApiError
from citybot.backend.models import Agent
from citybot.backend.services import agents
from citybot.settings import Settings

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Kunci API bot (BACKEND_API_KEY)")
bearer = HTTPBearer(auto_error=False, description="Token agen dari /api/v1/agent/login")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def read_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    with db.read() as session:
        yield session


def key_matches(settings: Settings, given: str | None) -> bool:
    expected = settings.backend_api_key
    return bool(expected) and given is not None and hmac.compare_digest(given.encode(), expected.encode())


def require_api_key(
    request: Request,
    settings: Annotated[Settings, Depends(get_app_settings)],
    header_key: Annotated[str | None, Security(api_key_header)] = None,
) -> None:
    # Open311 clients may pass api_key as a query parameter instead of the header.
    given = header_key if header_key is not None else request.query_params.get("api_key")
    if not key_matches(settings, given):
        raise ApiError(401, "invalid_api_key", "Kunci API tidak ada atau salah.")


def current_agent(
    db: Annotated[Database, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> Agent:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "missing_token", "Token agen diperlukan (Authorization: Bearer ...).")
    with db.read() as session:
        return agents.authenticate(session, credentials.credentials)


def supervisor(agent: Annotated[Agent, Depends(current_agent)]) -> Agent:
    if agent.role != "supervisor":
        raise ApiError(403, "supervisor_required", "Hanya supervisor yang boleh melakukan ini.")
    return agent


def staff(agent: Annotated[Agent, Depends(current_agent)]) -> Agent:
    """Agents and supervisors: the roles that may read citizens' complaints and bookings.
    Editors only write knowledge, so they never see a citizen's data."""
    if agent.role not in agents.CASEWORK_ROLES:
        raise ApiError(403, "casework_role_required", "Peran ini tidak boleh melihat data warga.")
    return agent


def editor_or_supervisor(agent: Annotated[Agent, Depends(current_agent)]) -> Agent:
    """The gap report (masked questions nobody answered) is for editors and supervisors."""
    if agent.role not in ("editor", "supervisor"):
        raise ApiError(403, "editor_required", "Hanya editor atau supervisor yang boleh melihat ini.")
    return agent


ReadSession = Annotated[Session, Depends(read_session)]
DB = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]
CurrentAgent = Annotated[Agent, Depends(current_agent)]
StaffAgent = Annotated[Agent, Depends(staff)]
Supervisor = Annotated[Agent, Depends(supervisor)]
EditorOrSupervisor = Annotated[Agent, Depends(editor_or_supervisor)]
