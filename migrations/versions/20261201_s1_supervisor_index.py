"""A partial index of the supervisors' accounts by name.

- ix_users_supervisors: users(full_name) WHERE is_supervisor IS true. The cohort page's
  supervisor filter and the assignment forms list the active supervisors by name; among 100,000
  trainee accounts that was a scan of the whole table.

Revision ID: 20261201_s1
Revises: 20261130_07
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "20261201_s1"
down_revision = "20261130_07"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_users_supervisors",
        "users",
        ["full_name"],
        unique=False,
        sqlite_where=sa.text("is_supervisor IS true"),
        postgresql_where=sa.text("is_supervisor IS true"),
    )


def downgrade():
    op.drop_index("ix_users_supervisors", table_name="users")
