"""playlist_refusals and screen_status.trusted_key: what players refused and which key they trust

Revision ID: ac71c93cd0f7
Revises: 1ce9dd2314a4
Create Date: 2026-12-02 03:46:28.899691
"""

from alembic import op
import sqlalchemy as sa


revision = 'ac71c93cd0f7'
down_revision = '1ce9dd2314a4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('playlist_refusals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_playlist_refusals_screen_id_screens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlist_refusals'))
    )
    with op.batch_alter_table('playlist_refusals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playlist_refusals_reported_at'), ['reported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_playlist_refusals_screen_id'), ['screen_id'], unique=False)

    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trusted_key', sa.String(length=16), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.drop_column('trusted_key')

    with op.batch_alter_table('playlist_refusals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playlist_refusals_screen_id'))
        batch_op.drop_index(batch_op.f('ix_playlist_refusals_reported_at'))

    op.drop_table('playlist_refusals')
