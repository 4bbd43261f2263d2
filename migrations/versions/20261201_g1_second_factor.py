"""The second factor: authenticator-app codes and recovery codes.

- users.totp_secret, totp_enrolled_at, totp_last_step: the enrolled app's shared secret, when it
  was enrolled, and the last accepted time step (so a code is never accepted twice).
- login_sessions.second_factor_at: when the session last passed the second factor.
- recovery_codes: single-use codes, kept as hashes.

Revision ID: 20261201_g1
Revises: 20261201_f1
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op


revision = "20261201_g1"
down_revision = "20261201_f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("second_factor_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("second_factor_at")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch copy: rebuilding `users`
    # would drop a table every other table refers to.
    op.drop_column("users", "totp_last_step")
    op.drop_column("users", "totp_enrolled_at")
    op.drop_column("users", "totp_secret")
