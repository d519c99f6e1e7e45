"""Agent accounts of the console: roles, active flag, session tokens.

Passwords are hashed by `citybot.passwords` (Argon2id, one format with the city backend) outside
these functions, on the password pool: everything here is a short database transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from citybot.gateway.db import GatewayDB
from citybot.gateway.models import Agent, AgentSession, utcnow
from citybot.passwords import hash_password
from citybot.settings import Settings

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
# agent: the handoff queue and cases; supervisor: that, insight and accounts; editor: the
# knowledge files and the gap report only (no conversation, complaint or booking of a citizen).
ROLES = ("agent", "supervisor", "editor")
CASEWORK_ROLES = ("agent", "supervisor")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CurrentAgent:
    id: int
    username: str
    role: str
    backend_token: str | None

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def can_read_gaps(self) -> bool:
        """The gap report shows masked questions only, for the people who write the answers."""
        return self.role in ("editor", "supervisor")

    @property
    def does_casework(self) -> bool:
        """Conversations, complaints and bookings hold citizens' data: agents and supervisors."""
        return self.role in CASEWORK_ROLES


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    password_hash: str
    active: bool


def find(session: Session, username: str) -> Account | None:
    row = session.scalar(select(Agent).where(Agent.username == username))
    if row is None:
        return None
    return Account(row.id, row.username, row.role, row.password_hash, row.active)


def revoke_sessions(session: Session, agent_id: int) -> list[str]:
    """End every console session of an agent; returns their backend tokens to revoke there too."""
    tokens = session.scalars(
        select(AgentSession.backend_token).where(
            AgentSession.agent_id == agent_id, AgentSession.backend_token.is_not(None)
        )
    ).all()
    session.execute(delete(AgentSession).where(AgentSession.agent_id == agent_id))
    return [t for t in tokens if t]


def upsert_agent(session: Session, username: str, password_hash: str, role: str = "agent") -> tuple[Agent, list[str]]:
    """Create an account, or reset its password and role (and reactivate it).

    A reset ends the account's sessions: whoever knew the old password is logged out at once.
    """
    if role not in ROLES:
        raise ValueError("role must be agent, supervisor or editor")
    row = session.scalar(select(Agent).where(Agent.username == username))
    revoked: list[str] = []
    if row is None:
        row = Agent(username=username, role=role, password_hash=password_hash, active=True, created_at=utcnow())
        session.add(row)
    else:
        row.role, row.password_hash, row.active = role, password_hash, True
        revoked = revoke_sessions(session, row.id)
    session.flush()
    return row, revoked


def deactivate(session: Session, username: str) -> list[str] | None:
    """Lock an account out and end its sessions; None when there is no such account."""
    row = session.scalar(select(Agent).where(Agent.username == username))
    if row is None:
        return None
    row.active = False
    return revoke_sessions(session, row.id)


def store_rehash(session: Session, agent_id: int, old_hash: str, new_hash: str) -> None:
    """Replace an outdated hash, unless the password was changed meanwhile."""
    session.execute(
        update(Agent).where(Agent.id == agent_id, Agent.password_hash == old_hash).values(password_hash=new_hash)
    )


def bootstrap(db: GatewayDB, settings: Settings) -> None:
    """Create the `admin` supervisor on first start (never overwrites a changed password)."""
    if not settings.agent_bootstrap_password:
        log.warning("AGENT_BOOTSTRAP_PASSWORD is empty: no admin account is created")
        return
    if len(settings.agent_bootstrap_password) < 8:
        raise ValueError("AGENT_BOOTSTRAP_PASSWORD must have at least 8 characters")
    with db.begin() as session:
        if session.scalar(select(Agent).where(Agent.username == "admin")) is None:
            upsert_agent(session, "admin", hash_password(settings.agent_bootstrap_password), "supervisor")


def open_session(session: Session, account: Account, ttl: dt.timedelta) -> tuple[str, CurrentAgent]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
    session.add(AgentSession(token_hash=_token_hash(token), agent_id=account.id, expires_at=now + ttl))
    return token, CurrentAgent(account.id, account.username, account.role, None)


def set_backend_token(session: Session, token: str, backend_token: str | None) -> None:
    row = session.get(AgentSession, _token_hash(token))
    if row is not None:
        row.backend_token = backend_token


def current(session: Session, token: str) -> CurrentAgent | None:
    row = session.get(AgentSession, _token_hash(token))
    if row is None or row.expires_at <= utcnow():
        return None
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.active:
        return None
    return CurrentAgent(agent.id, agent.username, agent.role, row.backend_token)


def logout(session: Session, token: str) -> str | None:
    """End one session; returns its backend token so the caller revokes it at the backend."""
    row = session.get(AgentSession, _token_hash(token))
    if row is None:
        return None
    backend_token = row.backend_token
    session.delete(row)
    return backend_token
