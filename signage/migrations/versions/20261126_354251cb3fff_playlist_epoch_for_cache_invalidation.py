"""playlist epoch for cache invalidation

Revision ID: 354251cb3fff
Revises: 9b41233489fb
Create Date: 2026-11-26 08:52:15.125480
"""

from alembic import op
import sqlalchemy as sa


revision = '354251cb3fff'
down_revision = '9b41233489fb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('playlist_epoch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlist_epoch'))
    )
    op.execute("INSERT INTO playlist_epoch (id, seq) VALUES (1, 0)")
    with op.batch_alter_table('screens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('playlist_seq', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_screens_playlist_seq'), ['playlist_seq'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('screens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screens_playlist_seq'))
        batch_op.drop_column('playlist_seq')

    op.drop_table('playlist_epoch')
