"""create the first tables

Revision ID: 9b41233489fb
Revises: 
Create Date: 2026-11-26 08:26:19.599363
"""

from alembic import op
import sqlalchemy as sa


revision = '9b41233489fb'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chain_heads',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_chain_heads'))
    )
    op.create_table('login_throttle',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_login_throttle'))
    )
    op.create_table('screen_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_groups')),
    sa.UniqueConstraint('name', name=op.f('uq_screen_groups_name'))
    )
    op.create_table('screens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('color', sa.String(length=16), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('hours', sa.String(length=500), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screens')),
    sa.UniqueConstraint('key', name=op.f('uq_screens_key')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_screens_token_hash'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_log_seq'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_object', ['object_type', 'object_id'], unique=False)

    op.create_table('media',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('frames', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_media_created_by_id_users')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_media'))
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('live_revision_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('close_reason', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_notices_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_notices_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_status'), ['status'], unique=False)

    op.create_table('screen_group_members',
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['screen_groups.id'], name=op.f('fk_screen_group_members_group_id_screen_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_screen_group_members_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('screen_id', 'group_id', name=op.f('pk_screen_group_members'))
    )
    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )
    op.create_table('notice_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('media_sha256', sa.String(length=64), nullable=True),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('duration_s', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dayparts', sa.String(length=500), nullable=True),
    sa.Column('required_working_days', sa.Integer(), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.String(length=1000), nullable=True),
    sa.Column('confidentiality_reviewed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_notice_revisions_created_by_id_users')),
    sa.ForeignKeyConstraint(['media_sha256'], ['media.sha256'], name=op.f('fk_notice_revisions_media_sha256_media')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_revisions_notice_id_notices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_notice_revisions_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_revisions')),
    sa.UniqueConstraint('notice_id', 'number', name=op.f('uq_notice_revisions_notice_id'))
    )
    with op.batch_alter_table('notice_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_revisions_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_revisions_valid_until'), ['valid_until'], unique=False)

    op.create_table('revision_groups',
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['screen_groups.id'], name=op.f('fk_revision_groups_group_id_screen_groups')),
    sa.ForeignKeyConstraint(['revision_id'], ['notice_revisions.id'], name=op.f('fk_revision_groups_revision_id_notice_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('revision_id', 'group_id', name=op.f('pk_revision_groups'))
    )
    with op.batch_alter_table('revision_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_groups_group_id'), ['group_id'], unique=False)

    op.create_table('revision_screens',
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['notice_revisions.id'], name=op.f('fk_revision_screens_revision_id_notice_revisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_revision_screens_screen_id_screens')),
    sa.PrimaryKeyConstraint('revision_id', 'screen_id', name=op.f('pk_revision_screens'))
    )
    with op.batch_alter_table('revision_screens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_screens_screen_id'), ['screen_id'], unique=False)
    # notices and notice_revisions refer to each other: the notices side is added last.
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_notices_live_revision_id_notice_revisions'),
            'notice_revisions', ['live_revision_id'], ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_notices_live_revision_id_notice_revisions'), type_='foreignkey'
        )
    with op.batch_alter_table('revision_screens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_screens_screen_id'))

    op.drop_table('revision_screens')
    with op.batch_alter_table('revision_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_groups_group_id'))

    op.drop_table('revision_groups')
    with op.batch_alter_table('notice_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_revisions_valid_until'))
        batch_op.drop_index(batch_op.f('ix_notice_revisions_category'))

    op.drop_table('notice_revisions')
    op.drop_table('user_roles')
    op.drop_table('screen_group_members')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_status'))
        batch_op.drop_index(batch_op.f('ix_notices_created_by_id'))

    op.drop_table('notices')
    op.drop_table('media')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_object')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('screens')
    op.drop_table('screen_groups')
    op.drop_table('login_throttle')
    op.drop_table('chain_heads')
