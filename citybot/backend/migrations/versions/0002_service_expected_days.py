"""services.expected_days: the agency's target for acting on a report (Open311 expected_datetime)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 00:35:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('services') as batch:
        batch.add_column(sa.Column('expected_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('services') as batch:
        batch.drop_column('expected_days')
