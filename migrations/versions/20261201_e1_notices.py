"""Notices and each person's delivery preferences.

- notices: a notice to one person (kind, message, the path it links to, how it was delivered,
  an optional once-only key), read or not, digested or not; deleted after 90 days.
- notice_preferences: a person's chosen delivery per kind (no row: the kind's default).

Revision ID: 20261201_e1
Revises: 20261201_d1
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "20261201_e1"
down_revision = "20261201_d1"
branch_labels = None
depends_on = None

DELIVERIES = "delivery IN ('email', 'digest', 'inbox')"


def upgrade():
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("once_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digested_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(DELIVERIES, name=op.f("ck_notices_delivery")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["users.id"], name=op.f("fk_notices_person_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("person_id", "once_key", name=op.f("uq_notices_person_id_once_key")),
    )
    op.create_index("ix_notices_person_id_read_at", "notices", ["person_id", "read_at"])
    op.create_index("ix_notices_created_at", "notices", ["created_at"])
    op.create_table(
        "notice_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.CheckConstraint(DELIVERIES, name=op.f("ck_notice_preferences_delivery")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["users.id"],
            name=op.f("fk_notice_preferences_person_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_preferences")),
        sa.UniqueConstraint("person_id", "kind", name=op.f("uq_notice_preferences_person_id_kind")),
    )


def downgrade():
    op.drop_table("notice_preferences")
    op.drop_index("ix_notices_created_at", table_name="notices")
    op.drop_index("ix_notices_person_id_read_at", table_name="notices")
    op.drop_table("notices")
