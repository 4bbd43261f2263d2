"""Hours transcripts have a stored, verifiable record.

- transcript_records: one row per generated transcript: the enrollment, who generated it (and
  their printed name), when, the canonical JSON of what it states, that content's SHA-256
  fingerprint, and the unguessable code printed on every page for /verify/transcripts/<code>.

Revision ID: 20261201_f1
Revises: 20261201_e1
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "20261201_f1"
down_revision = "20261201_e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "transcript_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("generated_by_name", sa.String(length=200), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_transcript_records_enrollment_id_enrollments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["users.id"],
            name=op.f("fk_transcript_records_generated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_records")),
        sa.UniqueConstraint("code", name=op.f("uq_transcript_records_code")),
    )
    op.create_index(
        "ix_transcript_records_enrollment_generated",
        "transcript_records",
        ["enrollment_id", "generated_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_transcript_records_enrollment_generated", table_name="transcript_records")
    op.drop_table("transcript_records")
