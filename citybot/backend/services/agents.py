"""Agents and their bearer tokens (roles: agent, supervisor, editor).

Editors write knowledge: they read the gap report (masked questions) and never citizens'
complaints or bookings; agents work cases; supervisors do both and read insight.

Passwords use `citybot.passwords` (Argon2id, the same format as the gateway console); old scrypt
hashes still verify and are replaced at the next login. A password reset or a deactivation
revokes every token of the account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citybot.backend.errors import ApiError, invalid
from citybot.backend.models import Agent, AgentToken, utcnow
from citybot.passwords import Checked, check, hash_password

ROLES = ("agent", "supervisor", "editor")
CASEWORK_ROLES = ("agent", "supervisor")  # may read complaints and bookings
TOKEN_TTL = dt.timedelta(hours=12)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_tokens(session: Session, agent_id: int) -> None:
    session.execute(
        update(AgentToken)
        .where(AgentToken.agent_id == agent_id, AgentToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def upsert_agent(session: Session, username: str, role: str, password: str) -> Agent:
    if role not in ROLES:
        raise invalid("invalid_role", "Peran harus agent, supervisor atau editor.")
    if len(password) < 8:
        raise invalid("weak_password", "Kata sandi minimal 8 karakter.")
    agent = session.scalar(select(Agent).where(Agent.username == username))
    if agent is None:
        agent = Agent(username=username, role=role, password_hash=hash_password(password))
        session.add(agent)
    elif not check(password, agent.password_hash).ok:
        # A new password: whoever held the old one loses its tokens too. (Re-seeding with the
        # same bootstrap password changes nothing and keeps working sessions.)
        agent.role, agent.password_hash, agent.active = role, hash_password(password), True
        revoke_tokens(session, agent.id)
    else:
        agent.role, agent.active = role, True
    session.flush()
    return agent


def deactivate(session: Session, username: str) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.username == username))
    if agent is None:
        raise ApiError(404, "agent_not_found", "Akun agen tidak ditemukan.")
    agent.active = False
    revoke_tokens(session, agent.id)
    session.flush()
    return agent


def issue_token(session: Session, agent: Agent, ttl: dt.timedelta = TOKEN_TTL) -> tuple[str, AgentToken]:
    token = secrets.token_urlsafe(32)
    row = AgentToken(token_hash=token_hash(token), agent_id=agent.id, expires_at=utcnow() + ttl)
    row.agent = agent
    session.add(row)
    session.flush()
    return token, row


def stored_hash(session: Session, username: str) -> tuple[int, str] | None:
    """The account's id and hash when it may log in; None for unknown or deactivated accounts."""
    agent = session.scalar(select(Agent).where(Agent.username == username))
    return (agent.id, agent.password_hash) if agent is not None and agent.active else None


def complete_login(session: Session, agent_id: int, old_hash: str, checked: Checked) -> tuple[str, AgentToken]:
    """After a verified password: store an upgraded hash, issue a token."""
    agent = session.get(Agent, agent_id)
    if agent is None or not agent.active:  # deactivated while the password was being checked
        raise ApiError(401, "invalid_credentials", "Nama pengguna atau kata sandi salah.")
    if checked.rehash is not None and agent.password_hash == old_hash:
        agent.password_hash = checked.rehash
    return issue_token(session, agent)


def revoke(session: Session, token: str) -> None:
    session.execute(
        update(AgentToken)
        .where(AgentToken.token_hash == token_hash(token), AgentToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def authenticate(session: Session, token: str) -> Agent:
    row = session.scalar(select(AgentToken).where(AgentToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.agent.active:
        raise ApiError(401, "invalid_token", "Token agen tidak valid atau kedaluwarsa.")
    return row.agent
