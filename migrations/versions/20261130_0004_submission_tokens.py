"""Submission tokens: a form that stores a trainee's entry carries a one-time token; once the
entry is stored the token is kept here, so the same form sent again (Back, then Save) lands on
the stored entry instead of storing a second one, whichever web worker receives it.

(The daily cap on logged training is a field of the requirement document, stored in
requirement_sets.content with the other numbers: it needs no column.)

Revision ID: 20261130_04
Revises: 20261130_03
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "20261130_04"
down_revision = "20261130_03"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "submission_tokens",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_submission_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_submission_tokens")),
    )
    with op.batch_alter_table("submission_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_tokens_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("submission_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_tokens_user_id"))
    op.drop_table("submission_tokens")
