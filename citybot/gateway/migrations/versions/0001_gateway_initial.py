"""Gateway tables: deliveries, senders, outbound queue, conversations, messages, agents.

Revision ID: 0001_gateway_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_gateway_initial"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_table(
        "senders",
        sa.Column("sender_id", sa.String(80), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("platform_id", sa.String(128), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("last_inbound_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "outbound",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
    )
    op.create_index("ix_outbound_sender_id", "outbound", ["sender_id"])
    op.create_index("ix_outbound_due", "outbound", ["status", "next_attempt_at"])
    op.create_table(
        "conversations",
        sa.Column("sender_id", sa.String(80), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("agent", sa.String(60), nullable=True),
        sa.Column("next_open", TS, nullable=True),
        sa.Column("requested_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(80), nullable=False),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("author", sa.String(60), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_messages_sender", "messages", ["sender_id", "id"])
    op.create_table(
        "long_payloads",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(60), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("backend_token", sa.Text, nullable=True),
        sa.Column("expires_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "agent_sessions",
        "agents",
        "long_payloads",
        "messages",
        "conversations",
        "outbound",
        "senders",
        "deliveries",
    ):
        op.drop_table(table)
