"""Agent accounts of the console: scrypt password hashes (hashlib), roles, session tokens."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from citybot.gateway.db import GatewayDB
from citybot.gateway.masking import get_logger
from citybot.gateway.models import Agent, AgentSession, utcnow
from citybot.settings import Settings

log = get_logger(__name__)
ROLES = ("agent", "supervisor")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
# Checked against when the user does not exist, so a wrong username costs as much as a wrong password.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    params = f"{_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}"
    return f"scrypt${params}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode(), salt=salt, dklen=len(digest), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(candidate, digest)


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


def upsert_agent(session: Session, username: str, password: str, role: str = "agent") -> Agent:
    if role not in ROLES:
        raise ValueError("role must be agent or supervisor")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    row = session.scalar(select(Agent).where(Agent.username == username))
    if row is None:
        row = Agent(username=username, role=role, password_hash=hash_password(password), created_at=utcnow())
        session.add(row)
    else:
        row.role, row.password_hash = role, hash_password(password)
    session.flush()
    return row


def bootstrap(db: GatewayDB, settings: Settings) -> None:
    """Create the `admin` supervisor on first start (never overwrites a changed password)."""
    if not settings.agent_bootstrap_password:
        log.warning("AGENT_BOOTSTRAP_PASSWORD is empty: no admin account is created")
        return
    with db.begin() as session:
        if session.scalar(select(Agent).where(Agent.username == "admin")) is None:
            upsert_agent(session, "admin", settings.agent_bootstrap_password, "supervisor")


def login(session: Session, username: str, password: str, ttl: dt.timedelta) -> tuple[str, CurrentAgent] | None:
    row = session.scalar(select(Agent).where(Agent.username == username))
    if row is None:
        check_password(password, _DUMMY_HASH)
        return None
    if not check_password(password, row.password_hash):
        return None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
    session.add(AgentSession(token_hash=_token_hash(token), agent_id=row.id, expires_at=now + ttl))
    return token, CurrentAgent(row.id, row.username, row.role, None)


def set_backend_token(session: Session, token: str, backend_token: str | None) -> None:
    row = session.get(AgentSession, _token_hash(token))
    if row is not None:
        row.backend_token = backend_token


def current(session: Session, token: str) -> CurrentAgent | None:
    row = session.get(AgentSession, _token_hash(token))
    if row is None or row.expires_at <= utcnow():
        return None
    agent = session.get(Agent, row.agent_id)
    if agent is None:
        return None
    return CurrentAgent(agent.id, agent.username, agent.role, row.backend_token)


def logout(session: Session, token: str) -> None:
    session.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))
