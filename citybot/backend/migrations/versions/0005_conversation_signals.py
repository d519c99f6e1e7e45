"""conversation signals (unanswered questions for editors, emergency counts for supervisors)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('conversation_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('subtype', sa.String(length=32), nullable=False),
    sa.Column('kelurahan', sa.String(length=120), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('closest_docs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_signals'))
    )
    with op.batch_alter_table('conversation_signals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_signals_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_conversation_signals_kind_created_at', ['kind', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conversation_signals', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_signals_kind_created_at')
        batch_op.drop_index(batch_op.f('ix_conversation_signals_created_at'))
    op.drop_table('conversation_signals')
