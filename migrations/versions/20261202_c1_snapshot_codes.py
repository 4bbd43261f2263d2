"""The progress snapshots' item codes, a row per code.

- progress_snapshot_codes (code, enrollment_id): one row per item code of a snapshot, written by
  the refresh with the snapshot and removed with it. The cohort page's item-code filter reads the
  enrollments with a code through its primary key; it was a LIKE over every snapshot's `codes`.
- ix_progress_snapshot_codes_enrollment_id (enrollment_id, code): the refresh reads and
  replaces an enrollment's codes by it (from the index alone), and the snapshot's removal.

The upgrade fills the table from the snapshots' `codes` (split here, a batch at a time); the
downgrade drops it (the snapshots keep their `codes`).

Revision ID: 20261202_c1
Revises: 20261201_g1
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_c1"
down_revision = "20261201_g1"
branch_labels = None
depends_on = None

BATCH = 5000  # snapshots read (and their codes inserted) at a time

snapshots = sa.table(
    "progress_snapshots", sa.column("enrollment_id", sa.Integer), sa.column("codes", sa.Text)
)
codes = sa.table(
    "progress_snapshot_codes", sa.column("code", sa.String), sa.column("enrollment_id", sa.Integer)
)


def upgrade():
    op.create_table(
        "progress_snapshot_codes",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["progress_snapshots.enrollment_id"],
            name=op.f("fk_progress_snapshot_codes_enrollment_id_progress_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", "enrollment_id", name=op.f("pk_progress_snapshot_codes")),
    )
    op.create_index(
        "ix_progress_snapshot_codes_enrollment_id",
        "progress_snapshot_codes",
        ["enrollment_id", "code"],
        unique=False,
    )
    connection = op.get_bind()
    last = 0
    while True:
        # By key, a batch at a time: no cursor stays open across the inserts.
        rows = connection.execute(
            sa.select(snapshots.c.enrollment_id, snapshots.c.codes)
            .where(snapshots.c.enrollment_id > last, snapshots.c.codes != "")
            .order_by(snapshots.c.enrollment_id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        values = [
            {"code": code, "enrollment_id": enrollment_id}
            for enrollment_id, text in rows
            for code in sorted(set(text.split()))
        ]
        if values:
            connection.execute(codes.insert(), values)
        last = rows[-1].enrollment_id


def downgrade():
    op.drop_index("ix_progress_snapshot_codes_enrollment_id", table_name="progress_snapshot_codes")
    op.drop_table("progress_snapshot_codes")
