"""controller_keys: the signing keys and the statements that link them

Revision ID: 1ce9dd2314a4
Revises: 21a00a32e9f7
Create Date: 2026-12-02 03:38:05.711568
"""

from alembic import op
import sqlalchemy as sa


revision = '1ce9dd2314a4'
down_revision = '21a00a32e9f7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('controller_keys',
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rotation', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_controller_keys'))
    )


def downgrade() -> None:
    op.drop_table('controller_keys')
