"""Sign-offs (electronic signatures), entry questions and reminder log.

Revision ID: 20261127_06
Revises: 20261127_05
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_06"
down_revision = "20261127_05"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('supervisor_digest', 'trainee_digest')", name=op.f("ck_reminder_log_kind")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["users.id"],
            name=op.f("fk_reminder_log_person_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_log")),
        sa.UniqueConstraint(
            "person_id", "sent_on", "kind", name=op.f("uq_reminder_log_person_id_sent_on_kind")
        ),
    )
    op.create_table(
        "entry_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("entry_type", sa.String(length=15), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=15), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "entry_type IN ('session', 'didactic', 'experiential')",
            name=op.f("ck_entry_questions_entry_type"),
        ),
        sa.CheckConstraint(
            "kind IN ('question', 'answer', 'reopen_reason')", name=op.f("ck_entry_questions_kind")
        ),
        sa.CheckConstraint(
            "length(body) >= 1 AND length(body) <= 2000", name=op.f("ck_entry_questions_body")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_entry_questions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_entry_questions_enrollment_id_enrollments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_questions")),
    )
    with op.batch_alter_table("entry_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entry_questions_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index("ix_entry_questions_enrollment", ["enrollment_id"], unique=False)
        batch_op.create_index("ix_entry_questions_entry", ["entry_type", "entry_id"], unique=False)

    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("entry_type", sa.String(length=15), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("printed_name", sa.String(length=120), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "entry_type IN ('session', 'didactic', 'experiential')",
            name=op.f("ck_signatures_entry_type"),
        ),
        sa.CheckConstraint(
            "(voided_at IS NULL AND voided_by_id IS NULL) OR "
            "(voided_at IS NOT NULL AND length(void_reason) > 0)",
            name=op.f("ck_signatures_void"),
        ),
        sa.CheckConstraint("length(content_hash) = 64", name=op.f("ck_signatures_content_hash")),
        sa.CheckConstraint("length(meaning) > 0", name=op.f("ck_signatures_meaning")),
        sa.CheckConstraint("length(printed_name) > 0", name=op.f("ck_signatures_printed_name")),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_signatures_enrollment_id_enrollments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"],
            ["users.id"],
            name=op.f("fk_signatures_signer_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_id"],
            ["users.id"],
            name=op.f("fk_signatures_voided_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index("ix_signatures_enrollment", ["enrollment_id"], unique=False)
        batch_op.create_index("ix_signatures_entry", ["entry_type", "entry_id"], unique=False)
        batch_op.create_index("ix_signatures_signer", ["signer_id"], unique=False)
        batch_op.create_index(
            "uq_signatures_live_entry",
            ["entry_type", "entry_id"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index("uq_signatures_live_entry")
        batch_op.drop_index("ix_signatures_signer")
        batch_op.drop_index("ix_signatures_entry")
        batch_op.drop_index("ix_signatures_enrollment")
    op.drop_table("signatures")
    with op.batch_alter_table("entry_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_questions_entry")
        batch_op.drop_index("ix_entry_questions_enrollment")
        batch_op.drop_index("ix_entry_questions_author_id")
    op.drop_table("entry_questions")
    op.drop_table("reminder_log")
