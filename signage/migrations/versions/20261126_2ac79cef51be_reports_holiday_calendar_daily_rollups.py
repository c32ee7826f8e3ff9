"""reports: holiday calendar, daily roll-ups, first heartbeat of a screen

Revision ID: 2ac79cef51be
Revises: 24b516c2a1ca
Create Date: 2026-11-26 11:33:02.430510
"""

from alembic import op
import sqlalchemy as sa


revision = '2ac79cef51be'
down_revision = '24b516c2a1ca'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollup_progress',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('rolled_through', sa.Date(), nullable=True),
    sa.Column('rolled_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outage_mark', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_progress'))
    )
    op.create_table('daily_uptime',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('monitored_s', sa.Integer(), nullable=False),
    sa.Column('offline_s', sa.Integer(), nullable=False),
    sa.Column('open_s', sa.Integer(), nullable=False),
    sa.Column('open_offline_s', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_daily_uptime_screen_id_screens')),
    sa.PrimaryKeyConstraint('day', 'screen_id', name=op.f('pk_daily_uptime'))
    )
    op.create_table('holiday_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_holiday_years_entered_by_id_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_holiday_years'))
    )
    op.create_table('rollup_marks',
    sa.Column('screen_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('chain_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_rollup_marks_screen_id_screens')),
    sa.PrimaryKeyConstraint('screen_id', name=op.f('pk_rollup_marks'))
    )
    op.create_table('daily_plays',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.Column('interrupted', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('shown_ms', sa.BigInteger(), nullable=False),
    sa.Column('first_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_start', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_daily_plays_notice_id_notices')),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_daily_plays_screen_id_screens')),
    sa.PrimaryKeyConstraint('day', 'screen_id', 'notice_id', 'category', name=op.f('pk_daily_plays'))
    )
    op.create_table('holiday_days',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['year'], ['holiday_years.year'], name=op.f('fk_holiday_days_year_holiday_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('date', name=op.f('pk_holiday_days'))
    )
    with op.batch_alter_table('holiday_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_days_year'), ['year'], unique=False)

    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.drop_column('first_seen_at')

    with op.batch_alter_table('holiday_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_days_year'))

    op.drop_table('holiday_days')
    op.drop_table('daily_plays')
    op.drop_table('rollup_marks')
    op.drop_table('holiday_years')
    op.drop_table('daily_uptime')
    op.drop_table('rollup_progress')
