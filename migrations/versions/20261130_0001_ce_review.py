"""Continuing education with evidence and review.

- continuing_education.status: pending, approved or rejected; only approved CE counts toward a
  renewal cycle. Existing rows become approved with review_basis "before_review": they were
  logged before review existed and counted then, so existing certificates keep their status.
- enrollments.ce_reviews_owed: selections of the audit sample carried over from entries the
  holder deleted before review (the next submissions wait for review in their place).
- continuing_education.review_basis: why the entry was (or was not) reviewed by staff;
  audit_draw: the audit sample's draw (0-99; NULL for rows from before review);
  verified_at / verified_by_id: the staff approval (empty for rows approved by rule).
- signatures.entry_type and entry_questions.entry_type admit "ce": a staff approval is a
  signature "CE reviewed", a rejection's reason and the holder's answer are kept in the thread.

Downgrade removes the CE signatures and threads with the columns; CE rows stay, and whatever
was pending or rejected counts again as before review existed.

Revision ID: 20261130_01
Revises: 20261129_12
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "20261130_01"
down_revision = "20261129_12"
branch_labels = None
depends_on = None

OLD_TYPES = "entry_type IN ('session', 'didactic', 'experiential')"
NEW_TYPES = "entry_type IN ('session', 'didactic', 'experiential', 'ce')"


def _entry_types(check: str) -> None:
    for table in ("signatures", "entry_questions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_entry_type"), type_="check")
            batch_op.create_check_constraint("entry_type", check)


def upgrade():
    with op.batch_alter_table("continuing_education", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="approved")
        )
        batch_op.add_column(
            sa.Column(
                "review_basis", sa.String(length=20), nullable=False, server_default="before_review"
            )
        )
        batch_op.add_column(sa.Column("audit_draw", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_continuing_education_verified_by_id_users"),
            "users",
            ["verified_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint("status", "status IN ('pending', 'approved', 'rejected')")
        batch_op.create_check_constraint(
            "review_basis",
            "review_basis IN "
            "('sampled', 'closed_cycle', 'not_sampled', 'before_review', 'reopened', 'carried')",
        )
        batch_op.create_check_constraint(
            "audit_draw", "audit_draw IS NULL OR (audit_draw >= 0 AND audit_draw < 100)"
        )
        batch_op.create_index("ix_continuing_education_status", ["status"], unique=False)
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ce_reviews_owed", sa.Integer(), nullable=False, server_default="0")
        )
    _entry_types(NEW_TYPES)


def downgrade():
    op.execute("DELETE FROM signatures WHERE entry_type = 'ce'")
    op.execute("DELETE FROM entry_questions WHERE entry_type = 'ce'")
    _entry_types(OLD_TYPES)
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_column("ce_reviews_owed")
    with op.batch_alter_table("continuing_education", schema=None) as batch_op:
        batch_op.drop_index("ix_continuing_education_status")
        batch_op.drop_constraint(op.f("ck_continuing_education_audit_draw"), type_="check")
        batch_op.drop_constraint(op.f("ck_continuing_education_review_basis"), type_="check")
        batch_op.drop_constraint(op.f("ck_continuing_education_status"), type_="check")
        batch_op.drop_constraint(
            op.f("fk_continuing_education_verified_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("verified_by_id")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("audit_draw")
        batch_op.drop_column("review_basis")
        batch_op.drop_column("status")
