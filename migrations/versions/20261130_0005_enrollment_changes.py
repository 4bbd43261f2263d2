"""An enrollment's life: withdrawals, readmissions, leaves of absence and moves to another
cohort or track, one row per change (rows are only ever added), and the life state the progress
snapshots store for the cohort page's filter and figures.

- enrollment_changes: kind, effective date, reason, who recorded it and when; grounds of a
  withdrawal; expected return of a leave (a return or extension names its leave); status,
  cohort, track and requirement-set version before and after.
- progress_snapshots.state: the engine's life state (active, on_leave, deferred, withdrawn,
  declined, applying); existing rows are marked stale so that the next refresh fills it.

Revision ID: 20261130_05
Revises: 20261130_04
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "20261130_05"
down_revision = "20261130_04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "enrollment_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("grounds", sa.String(length=10), nullable=True),
        sa.Column("expected_return_on", sa.Date(), nullable=True),
        sa.Column("leave_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("from_cohort_id", sa.Integer(), nullable=True),
        sa.Column("to_cohort_id", sa.Integer(), nullable=True),
        sa.Column("from_track_id", sa.Integer(), nullable=True),
        sa.Column("to_track_id", sa.Integer(), nullable=True),
        sa.Column("from_requirement_set_id", sa.Integer(), nullable=True),
        sa.Column("to_requirement_set_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('withdrawn', 'readmitted', 'leave', 'leave_extended', 'returned', "
            "'deferred', 'transferred')",
            name=op.f("ck_enrollment_changes_kind"),
        ),
        sa.CheckConstraint(
            "grounds IS NULL OR grounds IN ('voluntary', 'dismissed')",
            name=op.f("ck_enrollment_changes_grounds"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_enrollment_changes_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["leave_id"],
            ["enrollment_changes.id"],
            name=op.f("fk_enrollment_changes_leave_id_enrollment_changes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["from_cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_enrollment_changes_from_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_enrollment_changes_to_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["from_track_id"],
            ["tracks.id"],
            name=op.f("fk_enrollment_changes_from_track_id_tracks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_track_id"],
            ["tracks.id"],
            name=op.f("fk_enrollment_changes_to_track_id_tracks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["from_requirement_set_id"],
            ["requirement_sets.id"],
            name=op.f("fk_enrollment_changes_from_requirement_set_id_requirement_sets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_requirement_set_id"],
            ["requirement_sets.id"],
            name=op.f("fk_enrollment_changes_to_requirement_set_id_requirement_sets"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_enrollment_changes_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_changes")),
    )
    with op.batch_alter_table("enrollment_changes", schema=None) as batch_op:
        batch_op.create_index("ix_enrollment_changes_enrollment", ["enrollment_id"], unique=False)
    with op.batch_alter_table("progress_snapshots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=10), nullable=False, server_default="")
        )
    op.execute("UPDATE progress_snapshots SET stale = true, generation = generation + 1")


def downgrade():
    with op.batch_alter_table("progress_snapshots", schema=None) as batch_op:
        batch_op.drop_column("state")
    with op.batch_alter_table("enrollment_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollment_changes_enrollment")
    op.drop_table("enrollment_changes")
