"""knowledge documents shown to citizens (editors' report: most shown in the last 30 days)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('knowledge_shown',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.String(length=80), nullable=False),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_shown'))
    )
    with op.batch_alter_table('knowledge_shown', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_shown_doc_id'), ['doc_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_shown_shown_at'), ['shown_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('knowledge_shown', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_shown_shown_at'))
        batch_op.drop_index(batch_op.f('ix_knowledge_shown_doc_id'))
    op.drop_table('knowledge_shown')
