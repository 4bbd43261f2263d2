"""Progress snapshots: the engine's last verdict per enrollment, for lists of thousands.

A derived table: rows are created stale for every existing enrollment and recomputed by the
first list that shows them (or by `flask progress refresh`).

Revision ID: 20261127_08
Revises: 20261127_07
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_08"
down_revision = "20261127_07"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "progress_snapshots",
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=True),
        sa.Column("steps", sa.String(length=9), nullable=False),
        sa.Column("fraction", sa.Float(), nullable=False),
        sa.Column("blocking", sa.Integer(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.Column("actors", sa.String(length=40), nullable=False),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column("certificate_status", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_progress_snapshots_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_progress_snapshots")),
    )
    with op.batch_alter_table("progress_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_progress_snapshots_stale", ["stale"], unique=False)
    op.execute(
        "INSERT INTO progress_snapshots "
        "(enrollment_id, generation, stale, steps, fraction, blocking, codes, actors, ready) "
        "SELECT id, 0, TRUE, '', 0, 0, '', '', FALSE FROM enrollments"
    )


def downgrade():
    with op.batch_alter_table("progress_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_snapshots_stale")
    op.drop_table("progress_snapshots")
