"""Gateway tables: deliveries seen, sender directory, outbound queue, conversations, agents."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware UTC datetimes; SQLite hands back naive ones, so make them aware again."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Delivery(Base):
    """One row per inbound delivery or event id already accepted (the unique key de-duplicates)."""

    __tablename__ = "deliveries"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Sender(Base):
    """Rasa sender id → where to reach the citizen; last inbound time for WhatsApp's 24 h window."""

    __tablename__ = "senders"
    sender_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Outbound(Base):
    """A reply waiting to be delivered: pushes, agent replies and (for web) the citizen's inbox."""

    __tablename__ = "outbound"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(80), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # reply | push | notify | agent
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_outbound_due", "status", "next_attempt_at"),)


class Conversation(Base):
    """Who is answering a citizen: the bot, the agent queue, an agent, or a pending callback."""

    __tablename__ = "conversations"
    sender_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(12), default="bot")  # bot | queued | agent | callback
    summary: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    agent: Mapped[str | None] = mapped_column(String(60), nullable=True)
    next_open: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(Base):
    """History of a conversation as agents see it (unmasked; logs are masked, not this)."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(80))
    direction: Mapped[str] = mapped_column(String(4))  # in | out
    author: Mapped[str] = mapped_column(String(60))  # citizen | bot | agent:<name> | system
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_messages_sender", "sender_id", "id"),)


class LongPayload(Base):
    """Button payloads longer than Telegram's 64-byte callback_data travel as a short key."""

    __tablename__ = "long_payloads"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)


class Agent(Base):
    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class AgentSession(Base):
    __tablename__ = "agent_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    backend_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
