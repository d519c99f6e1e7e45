"""Console accounts can be deactivated: a deactivated agent cannot log in.

Revision ID: 0002_agent_active
Revises: 0001_gateway_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_agent_active"
down_revision = "0001_gateway_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a column in place; existing accounts stay active.
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("active")
