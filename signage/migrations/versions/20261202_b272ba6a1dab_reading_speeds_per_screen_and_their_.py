"""reading speeds per screen and their history, players' fonts, each play's item time

Revision ID: b272ba6a1dab
Revises: 0280107e0c10
Create Date: 2026-12-02 19:16:13.810414
"""

from alembic import op
import sqlalchemy as sa


revision = 'b272ba6a1dab'
down_revision = '0280107e0c10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screen_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scroll_cpm', sa.Integer(), nullable=False),
    sa.Column('page_s', sa.Integer(), nullable=False),
    sa.Column('read_cpm', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_screen_readings_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_readings'))
    )
    with op.batch_alter_table('screen_readings', schema=None) as batch_op:
        batch_op.create_index('ix_screen_readings_screen_since', ['screen_id', 'since'], unique=False)

    with op.batch_alter_table('display_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('play_ms', sa.Integer(), nullable=True))

    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('font_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('font_sha256', sa.String(length=64), nullable=True))

    with op.batch_alter_table('screens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scroll_cpm', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('page_s', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('read_cpm', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pixel_pitch_mm', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('viewing_distance_m', sa.Double(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('screens', schema=None) as batch_op:
        batch_op.drop_column('viewing_distance_m')
        batch_op.drop_column('pixel_pitch_mm')
        batch_op.drop_column('read_cpm')
        batch_op.drop_column('page_s')
        batch_op.drop_column('scroll_cpm')

    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.drop_column('font_sha256')
        batch_op.drop_column('font_name')

    with op.batch_alter_table('display_events', schema=None) as batch_op:
        batch_op.drop_column('play_ms')

    with op.batch_alter_table('screen_readings', schema=None) as batch_op:
        batch_op.drop_index('ix_screen_readings_screen_since')

    op.drop_table('screen_readings')
