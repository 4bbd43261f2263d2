"""Training records: didactic and experiential hours, supervised sessions, case presentations, CE.

Revision ID: 20261127_04
Revises: 20261127_03
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_04"
down_revision = "20261127_03"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('didactic_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('topic_code', sa.String(length=40), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'verified', 'returned')", name=op.f('ck_didactic_entries_status')),
    sa.CheckConstraint('hours > 0 AND hours <= 12', name=op.f('ck_didactic_entries_hours')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_didactic_entries_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_didactic_entries_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_didactic_entries'))
    )
    with op.batch_alter_table('didactic_entries', schema=None) as batch_op:
        batch_op.create_index('ix_didactic_entries_enrollment_on', ['enrollment_id', 'on'], unique=False)

    op.create_table('experiential_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('facilitator', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('observation', 'role_play', 'monitoring', 'integration', 'personal_session')", name=op.f('ck_experiential_entries_kind')),
    sa.CheckConstraint("status IN ('pending', 'verified', 'returned')", name=op.f('ck_experiential_entries_status')),
    sa.CheckConstraint('hours > 0 AND hours <= 12', name=op.f('ck_experiential_entries_hours')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_experiential_entries_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_experiential_entries_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiential_entries'))
    )
    with op.batch_alter_table('experiential_entries', schema=None) as batch_op:
        batch_op.create_index('ix_experiential_entries_enrollment_on', ['enrollment_id', 'on'], unique=False)

    op.create_table('continuing_education',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('ce', 'consultation')", name=op.f('ck_continuing_education_kind')),
    sa.CheckConstraint('amount > 0 AND amount <= 40', name=op.f('ck_continuing_education_amount')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_continuing_education_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_continuing_education_file_id_stored_files'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_continuing_education'))
    )
    with op.batch_alter_table('continuing_education', schema=None) as batch_op:
        batch_op.create_index('ix_continuing_education_enrollment_on', ['enrollment_id', 'on'], unique=False)
        batch_op.create_index(batch_op.f('ix_continuing_education_file_id'), ['file_id'], unique=False)

    op.create_table('supervised_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('client_code', sa.String(length=16), nullable=False),
    sa.Column('setting', sa.String(length=20), nullable=False),
    sa.Column('route', sa.String(length=12), nullable=False),
    sa.Column('trainee_role', sa.String(length=15), nullable=False),
    sa.Column('supervision_mode', sa.String(length=15), nullable=False),
    sa.Column('covers_preparation', sa.Boolean(), nullable=False),
    sa.Column('covers_dosing', sa.Boolean(), nullable=False),
    sa.Column('covers_integration', sa.Boolean(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("route IN ('iv', 'im', 'sublingual', 'intranasal', 'oral')", name=op.f('ck_supervised_sessions_route')),
    sa.CheckConstraint("setting IN ('clinic', 'hospital', 'private_practice', 'research', 'telehealth_prep', 'other')", name=op.f('ck_supervised_sessions_setting')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'returned', 'signed')", name=op.f('ck_supervised_sessions_status')),
    sa.CheckConstraint("supervision_mode IN ('live', 'video_review')", name=op.f('ck_supervised_sessions_supervision_mode')),
    sa.CheckConstraint("trainee_role IN ('observer', 'co_therapist', 'lead')", name=op.f('ck_supervised_sessions_trainee_role')),
    sa.CheckConstraint('covers_preparation OR covers_dosing OR covers_integration', name=op.f('ck_supervised_sessions_phases')),
    sa.CheckConstraint('duration_minutes >= 15 AND duration_minutes <= 720', name=op.f('ck_supervised_sessions_duration')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_supervised_sessions_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_supervised_sessions_supervisor_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervised_sessions'))
    )
    with op.batch_alter_table('supervised_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_supervised_sessions_enrollment_on', ['enrollment_id', 'on'], unique=False)
        batch_op.create_index('ix_supervised_sessions_supervisor_status', ['supervisor_id', 'status'], unique=False)

    op.create_table('case_presentations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('peer_group', 'supervisor', 'faculty', 'conference')", name=op.f('ck_case_presentations_audience')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_case_presentations_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['session_id'], ['supervised_sessions.id'], name=op.f('fk_case_presentations_session_id_supervised_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_presentations'))
    )
    with op.batch_alter_table('case_presentations', schema=None) as batch_op:
        batch_op.create_index('ix_case_presentations_enrollment_on', ['enrollment_id', 'on'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_presentations_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_presentations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_presentations_session_id'))
        batch_op.drop_index('ix_case_presentations_enrollment_on')
    op.drop_table('case_presentations')

    with op.batch_alter_table('supervised_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_supervised_sessions_supervisor_status')
        batch_op.drop_index('ix_supervised_sessions_enrollment_on')
    op.drop_table('supervised_sessions')

    with op.batch_alter_table('continuing_education', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_continuing_education_file_id'))
        batch_op.drop_index('ix_continuing_education_enrollment_on')
    op.drop_table('continuing_education')

    with op.batch_alter_table('experiential_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_experiential_entries_enrollment_on')
    op.drop_table('experiential_entries')

    with op.batch_alter_table('didactic_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_didactic_entries_enrollment_on')
    op.drop_table('didactic_entries')
