"""display log and screen health

Revision ID: 24b516c2a1ca
Revises: 354251cb3fff
Create Date: 2026-11-26 09:15:43.216252
"""

from alembic import op
import sqlalchemy as sa


revision = '24b516c2a1ca'
down_revision = '354251cb3fff'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('display_gaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('first_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_display_gaps_screen_id_screens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_display_gaps'))
    )
    with op.batch_alter_table('display_gaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_display_gaps_screen_id'), ['screen_id'], unique=False)

    op.create_table('screen_outages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_screen_outages_screen_id_screens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_outages'))
    )
    with op.batch_alter_table('screen_outages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screen_outages_screen_id'), ['screen_id'], unique=False)

    op.create_table('screen_status',
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('playlist_etag', sa.String(length=80), nullable=False),
    sa.Column('current_item', sa.String(length=64), nullable=True),
    sa.Column('free_disk_bytes', sa.BigInteger(), nullable=True),
    sa.Column('errors', sa.Text(), nullable=False),
    sa.Column('clock_offset_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_screen_status_screen_id_screens')),
    sa.PrimaryKeyConstraint('screen_id', name=op.f('pk_screen_status'))
    )
    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screen_status_last_seen_at'), ['last_seen_at'], unique=False)

    op.create_table('screenshots',
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_screenshots_screen_id_screens')),
    sa.PrimaryKeyConstraint('screen_id', name=op.f('pk_screenshots'))
    )
    op.create_table('display_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('player_seq', sa.BigInteger(), nullable=False),
    sa.Column('chain_seq', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_display_events_notice_id_notices')),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_display_events_screen_id_screens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_display_events')),
    sa.UniqueConstraint('screen_id', 'chain_seq', name=op.f('uq_display_events_screen_chain_seq')),
    sa.UniqueConstraint('screen_id', 'player_seq', name=op.f('uq_display_events_screen_player_seq'))
    )
    with op.batch_alter_table('display_events', schema=None) as batch_op:
        batch_op.create_index('ix_display_events_notice_started', ['notice_id', 'started_at'], unique=False)
        batch_op.create_index('ix_display_events_started_at_id', ['started_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('display_events', schema=None) as batch_op:
        batch_op.drop_index('ix_display_events_started_at_id')
        batch_op.drop_index('ix_display_events_notice_started')

    op.drop_table('display_events')
    op.drop_table('screenshots')
    with op.batch_alter_table('screen_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screen_status_last_seen_at'))

    op.drop_table('screen_status')
    with op.batch_alter_table('screen_outages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screen_outages_screen_id'))

    op.drop_table('screen_outages')
    with op.batch_alter_table('display_gaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_display_gaps_screen_id'))

    op.drop_table('display_gaps')
