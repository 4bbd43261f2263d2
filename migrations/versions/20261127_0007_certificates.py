"""Certificates and their revocation.

At most one certificate per enrollment (UNIQUE enrollment_id: concurrent issues cannot create
two); unique readable numbers and unguessable verification codes; a revoked certificate keeps
its row with the time, the person and the reason.

Revision ID: 20261127_07
Revises: 20261127_06
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_07"
down_revision = "20261127_06"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('verification_code', sa.String(length=64), nullable=False),
    sa.Column('printed_name', sa.String(length=200), nullable=False),
    sa.Column('program_name', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("issued_on >= '2000-01-01'", name=op.f('ck_certificates_issued_on')),
    sa.CheckConstraint('(revoked_at IS NULL AND revocation_reason IS NULL AND revoked_by_id IS NULL) OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)', name=op.f('ck_certificates_revocation_complete')),
    sa.CheckConstraint('expires_on IS NULL OR expires_on > issued_on', name=op.f('ck_certificates_expires_after_issue')),
    sa.CheckConstraint('length(verification_code) >= 32', name=op.f('ck_certificates_verification_code_length')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_certificates_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_certificates_enrollment_id')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_certificates_verification_code'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_issued_by_id'), ['issued_by_id'], unique=False)
        batch_op.create_index('ix_certificates_issued_on', ['issued_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_revoked_by_id'), ['revoked_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_revoked_by_id'))
        batch_op.drop_index('ix_certificates_issued_on')
        batch_op.drop_index(batch_op.f('ix_certificates_issued_by_id'))

    op.drop_table('certificates')
