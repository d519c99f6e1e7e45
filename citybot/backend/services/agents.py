"""Agents and their bearer tokens (roles: agent, supervisor)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybot.backend.errors import ApiError, invalid
from citybot.backend.models import Agent, AgentToken, utcnow

ROLES = ("agent", "supervisor")
TOKEN_TTL = dt.timedelta(hours=12)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt_b64, digest_b64 = stored.split("$")
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    candidate = hashlib.scrypt(password.encode(), salt=salt, dklen=len(digest), **_SCRYPT)
    return hmac.compare_digest(candidate, digest)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def upsert_agent(session: Session, username: str, role: str, password: str) -> Agent:
    if role not in ROLES:
        raise invalid("invalid_role", "Peran harus agent atau supervisor.")
    if len(password) < 8:
        raise invalid("weak_password", "Kata sandi minimal 8 karakter.")
    agent = session.scalar(select(Agent).where(Agent.username == username))
    if agent is None:
        agent = Agent(username=username, role=role, password_hash=hash_password(password))
        session.add(agent)
    else:
        agent.role, agent.password_hash, agent.active = role, hash_password(password), True
    session.flush()
    return agent


def issue_token(session: Session, agent: Agent, ttl: dt.timedelta = TOKEN_TTL) -> tuple[str, AgentToken]:
    token = secrets.token_urlsafe(32)
    row = AgentToken(token_hash=token_hash(token), agent_id=agent.id, expires_at=utcnow() + ttl)
    row.agent = agent
    session.add(row)
    session.flush()
    return token, row


def login(session: Session, username: str, password: str) -> tuple[str, AgentToken]:
    agent = session.scalar(select(Agent).where(Agent.username == username))
    # Check a dummy hash when the user is unknown so timing does not reveal usernames.
    stored = agent.password_hash if agent else hash_password("dummy-password")
    if not check_password(password, stored) or agent is None or not agent.active:
        raise ApiError(401, "invalid_credentials", "Nama pengguna atau kata sandi salah.")
    return issue_token(session, agent)


def authenticate(session: Session, token: str) -> Agent:
    row = session.scalar(select(AgentToken).where(AgentToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.agent.active:
        raise ApiError(401, "invalid_token", "Token agen tidak valid atau kedaluwarsa.")
    return row.agent
