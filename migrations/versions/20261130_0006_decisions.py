"""Corrections as recorded acts: voided exam attempts, amended evaluations, reversed admission
decisions and waivers that end.

- exam_attempts.override_reason: why staff recorded an attempt the assessment guard refused
  before the engine said the final assessment was open; NULL for an attempt recorded normally.
- exam_attempts.voided_at / voided_by_id / void_reason: a voided attempt stays on file, shown
  as VOID, and no longer counts.
- case_evaluations, competency_evaluations: version (1 for an original), supersedes_id (the
  version it amends) and amendment_reason; existing evaluations are version 1.
- admission_reversals: an admission decision (admitted or declined) reversed with a reason;
  the enrollment returns to submitted.
- waivers.ends_on: the last day a waiver applies (NULL: open-ended); ended_on / ended_at /
  ended_by_id / end_reason: a waiver ended early (it no longer applies from ended_on).

Revision ID: 20261130_06
Revises: 20261130_05
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "20261130_06"
down_revision = "20261130_05"
branch_labels = None
depends_on = None

EVALUATIONS = ("case_evaluations", "competency_evaluations")


def upgrade():
    with op.batch_alter_table("exam_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("voided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_exam_attempts_voided_by_id_users"),
            "users",
            ["voided_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_exam_attempts_void"),
            "(voided_at IS NULL AND void_reason IS NULL)"
            " OR (voided_at IS NOT NULL AND void_reason IS NOT NULL)",
        )
    for table in EVALUATIONS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default="1")
            )
            batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("amendment_reason", sa.Text(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_supersedes_id_{table}"),
                table,
                ["supersedes_id"],
                ["id"],
                ondelete="RESTRICT",
            )
            batch_op.create_unique_constraint(op.f(f"uq_{table}_supersedes_id"), ["supersedes_id"])
    op.create_table(
        "admission_reversals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("reversed_status", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reversed_by_id", sa.Integer(), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reversed_status IN ('admitted', 'declined')",
            name=op.f("ck_admission_reversals_reversed_status"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_admission_reversals_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_admission_reversals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reversed_by_id"],
            ["users.id"],
            name=op.f("fk_admission_reversals_reversed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_reversals")),
    )
    with op.batch_alter_table("admission_reversals", schema=None) as batch_op:
        batch_op.create_index("ix_admission_reversals_enrollment", ["enrollment_id"], unique=False)
    with op.batch_alter_table("waivers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ended_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_waivers_ended_by_id_users"),
            "users",
            ["ended_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("waivers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_waivers_ended_by_id_users"), type_="foreignkey")
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_by_id")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("ended_on")
        batch_op.drop_column("ends_on")
    with op.batch_alter_table("admission_reversals", schema=None) as batch_op:
        batch_op.drop_index("ix_admission_reversals_enrollment")
    op.drop_table("admission_reversals")
    for table in reversed(EVALUATIONS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"uq_{table}_supersedes_id"), type_="unique")
            batch_op.drop_constraint(op.f(f"fk_{table}_supersedes_id_{table}"), type_="foreignkey")
            batch_op.drop_column("amendment_reason")
            batch_op.drop_column("supersedes_id")
            batch_op.drop_column("version")
    with op.batch_alter_table("exam_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_exam_attempts_void"), type_="check")
        batch_op.drop_constraint(op.f("fk_exam_attempts_voided_by_id_users"), type_="foreignkey")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by_id")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("override_reason")
