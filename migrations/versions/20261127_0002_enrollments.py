"""Enrollments, staff waivers, supervisor assignments (kept as history) and stored files.

Revision ID: 20261127_02
Revises: 20261127_01
Create Date: 2026-11-27 08:41:41.301132

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261127_02'
down_revision = '20261127_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_stored_files_owner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_stored_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_stored_files_storage_name'))
    )
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_files_owner_id'), ['owner_id'], unique=False)

    op.create_table('enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('requirement_set_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('pathway', sa.String(length=30), nullable=False),
    sa.Column('pathway_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.CheckConstraint("pathway IN ('standard', 'alternative_pending', 'alternative_approved', 'alternative_refused')", name=op.f('ck_enrollments_pathway')),
    sa.CheckConstraint("status IN ('applicant', 'submitted', 'admitted', 'declined', 'withdrawn')", name=op.f('ck_enrollments_status')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_enrollments_cohort_id_cohorts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_enrollments_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_enrollments_program_id_programs'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['requirement_set_id'], ['requirement_sets.id'], name=op.f('fk_enrollments_requirement_set_id_requirement_sets'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_enrollments_track_id_tracks'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_enrollments_trainee_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollments')),
    sa.UniqueConstraint('trainee_id', 'program_id', name=op.f('uq_enrollments_trainee_id_program_id'))
    )
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.create_index('ix_enrollments_cohort_status', ['cohort_id', 'status'], unique=False)

    op.create_table('supervisor_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('primary', 'backup')", name=op.f('ck_supervisor_assignments_kind')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_supervisor_assignments_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_supervisor_assignments_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_supervisor_assignments_supervisor_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisor_assignments'))
    )
    with op.batch_alter_table('supervisor_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_supervisor_assignments_enrollment', ['enrollment_id'], unique=False)
        batch_op.create_index('ix_supervisor_assignments_supervisor', ['supervisor_id'], unique=False)
        batch_op.create_index(
            'uq_supervisor_assignments_current', ['enrollment_id', 'kind'], unique=True,
            sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'),
        )

    op.create_table('waivers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_waivers_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_waivers_granted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waivers'))
    )
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.create_index('ix_waivers_enrollment', ['enrollment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.drop_index('ix_waivers_enrollment')

    op.drop_table('waivers')
    with op.batch_alter_table('supervisor_assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_supervisor_assignments_current')
        batch_op.drop_index('ix_supervisor_assignments_supervisor')
        batch_op.drop_index('ix_supervisor_assignments_enrollment')

    op.drop_table('supervisor_assignments')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollments_cohort_status')

    op.drop_table('enrollments')
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_files_owner_id'))

    op.drop_table('stored_files')
