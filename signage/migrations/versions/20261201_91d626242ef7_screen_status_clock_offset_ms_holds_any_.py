"""screen_status.clock_offset_ms holds any offset a player reports

Revision ID: 91d626242ef7
Revises: 2ac79cef51be
Create Date: 2026-12-01 22:04:47.101025
"""

from alembic import op
import sqlalchemy as sa


revision = '91d626242ef7'
down_revision = '2ac79cef51be'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.alter_column('clock_offset_ms',
               existing_type=sa.INTEGER(),
               type_=sa.BigInteger(),
               existing_nullable=True)



def downgrade() -> None:
    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.alter_column('clock_offset_ms',
               existing_type=sa.BigInteger(),
               type_=sa.INTEGER(),
               existing_nullable=True)

