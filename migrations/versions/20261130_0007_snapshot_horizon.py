"""Progress snapshots know how long they hold.

- progress_snapshots.holds_until: the first day on which a time-based rule could change the
  stored verdict (the engine's `holds_until`); a snapshot is due for a refresh once the
  program's today reaches it. NULL (every existing row) means due now.
- ix_progress_snapshots_holds_until: the refresh and the lists look for the due rows by it.

Revision ID: 20261130_07
Revises: 20261130_06
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "20261130_07"
down_revision = "20261130_06"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("progress_snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holds_until", sa.Date(), nullable=True))
        batch_op.create_index("ix_progress_snapshots_holds_until", ["holds_until"], unique=False)


def downgrade():
    with op.batch_alter_table("progress_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_snapshots_holds_until")
        batch_op.drop_column("holds_until")
