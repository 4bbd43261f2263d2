"""Eligibility records (licences, insurance, attestations) and application items.

Licences, insurance policies, experience attestations and health screenings belong to the person;
application documents, references and scenario answers belong to the enrollment.

Revision ID: 20261127_03
Revises: 20261127_02
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_03"
down_revision = "20261127_02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('experience_attestations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('years_practice', sa.Integer(), nullable=False),
    sa.Column('practice_settings', sa.Text(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('attested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('years_practice >= 0 AND years_practice <= 70', name=op.f('ck_experience_attestations_years')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_experience_attestations_trainee_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience_attestations'))
    )
    with op.batch_alter_table('experience_attestations', schema=None) as batch_op:
        batch_op.create_index('ix_experience_attestations_trainee', ['trainee_id'], unique=False)
        batch_op.create_index('uq_experience_attestations_current', ['trainee_id'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('health_screenings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('contraindication', sa.Boolean(), nullable=False),
    sa.Column('psychosis_history', sa.Boolean(), nullable=False),
    sa.Column('cardiovascular', sa.Boolean(), nullable=False),
    sa.Column('pregnancy', sa.Boolean(), nullable=False),
    sa.Column('willing_to_discuss', sa.Boolean(), nullable=False),
    sa.Column('signature', sa.String(length=120), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clearance', sa.String(length=20), nullable=False),
    sa.Column('cleared_by_id', sa.Integer(), nullable=True),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("clearance IN ('pending', 'cleared', 'not_cleared')", name=op.f('ck_health_screenings_clearance')),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['users.id'], name=op.f('fk_health_screenings_cleared_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_health_screenings_trainee_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_screenings'))
    )
    with op.batch_alter_table('health_screenings', schema=None) as batch_op:
        batch_op.create_index('ix_health_screenings_trainee', ['trainee_id'], unique=False)
        batch_op.create_index('uq_health_screenings_current', ['trainee_id'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('insurances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=120), nullable=False),
    sa.Column('policy_number', sa.String(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('coverage', sa.String(length=500), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verification_method', sa.Text(), nullable=False),
    sa.Column('verification_note', sa.Text(), nullable=False),
    sa.CheckConstraint('ends_on > starts_on', name=op.f('ck_insurances_dates')),
    sa.ForeignKeyConstraint(['document_id'], ['stored_files.id'], name=op.f('fk_insurances_document_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_insurances_trainee_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_insurances_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurances'))
    )
    with op.batch_alter_table('insurances', schema=None) as batch_op:
        batch_op.create_index('ix_insurances_trainee', ['trainee_id'], unique=False)

    op.create_table('licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('licence_type', sa.String(length=10), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('jurisdiction', sa.String(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verification_method', sa.Text(), nullable=False),
    sa.Column('verification_note', sa.Text(), nullable=False),
    sa.CheckConstraint("licence_type IN ('MD', 'DO', 'PhD', 'PsyD', 'LCSW', 'LMFT', 'LPCC', 'LPC', 'APRN', 'PA')", name=op.f('ck_licences_licence_type')),
    sa.CheckConstraint('issued_on IS NULL OR issued_on < expires_on', name=op.f('ck_licences_dates')),
    sa.ForeignKeyConstraint(['document_id'], ['stored_files.id'], name=op.f('fk_licences_document_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_licences_trainee_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_licences_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licences'))
    )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index('ix_licences_trainee', ['trainee_id'], unique=False)

    op.create_table('application_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('cv', 'personal_statement')", name=op.f('ck_application_documents_kind')),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'rejected')", name=op.f('ck_application_documents_status')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_application_documents_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_application_documents_file_id_stored_files'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_application_documents_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_documents'))
    )
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.create_index('ix_application_documents_enrollment', ['enrollment_id'], unique=False)
        batch_op.create_index('ix_application_documents_status', ['status'], unique=False)
        batch_op.create_index('uq_application_documents_current', ['enrollment_id', 'kind'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('application_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("relationship IN ('colleague', 'supervisor', 'employer', 'other')", name=op.f('ck_application_references_relationship')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_application_references_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_references'))
    )
    with op.batch_alter_table('application_references', schema=None) as batch_op:
        batch_op.create_index('ix_application_references_enrollment', ['enrollment_id'], unique=False)

    op.create_table('scenario_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('scenario_code', sa.String(length=40), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(answer) >= 50 AND length(answer) <= 5000', name=op.f('ck_scenario_answers_answer_length')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_scenario_answers_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_answers')),
    sa.UniqueConstraint('enrollment_id', 'scenario_code', name=op.f('uq_scenario_answers_enrollment_id_scenario_code'))
    )


def downgrade():
    # Dropping a table drops its indexes with it (on SQLite and PostgreSQL alike).
    op.drop_table("scenario_answers")
    op.drop_table("application_references")
    op.drop_table("application_documents")
    op.drop_table("licences")
    op.drop_table("insurances")
    op.drop_table("health_screenings")
    op.drop_table("experience_attestations")
