"""status look-ups of other citizens' complaints (the ticket enumeration limit)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('status_lookups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_lookups'))
    )
    with op.batch_alter_table('status_lookups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_lookups_subject_hash'), ['subject_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_lookups_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('status_lookups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_lookups_created_at'))
        batch_op.drop_index(batch_op.f('ix_status_lookups_subject_hash'))
    op.drop_table('status_lookups')
