"""A certificate's status as a stored, audited history, and the warnings before a lapse.

- certificate_status_changes: each change of a certificate's status (valid, lapsed, expired,
  revoked) with the day since which it holds, its kind (issued, revoked, reinstated, or the
  renewal rule), the reason and who (NULL: the rule). Existing certificates get one row, valid
  since their issue date, and revoked ones a second, revoked since the day they were revoked
  (UTC date: the program's time zone is not known to a migration; the live app records local
  dates from now on).
- certificates.status: the last change's status, kept for lists that compare it with the
  engine's verdict (valid, or revoked for revoked certificates).
- certificate_notices: the warnings mailed to a holder (90, 30, 7 days before a short cycle
  ends, and its lapse), one of each per certificate and cycle.
- signatures.entry_type may be "certificate": a staff member's signature on a certificate
  issued, revoked or reinstated (its entry_id is the status change).

Revision ID: 20261130_02
Revises: 20261130_01
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "20261130_02"
down_revision = "20261130_01"
branch_labels = None
depends_on = None

ENTRY_TYPES_BEFORE = "entry_type IN ('session', 'didactic', 'experiential', 'ce')"
ENTRY_TYPES_AFTER = "entry_type IN ('session', 'didactic', 'experiential', 'ce', 'certificate')"


def upgrade():
    op.create_table(
        "certificate_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('valid', 'lapsed', 'expired', 'revoked')",
            name=op.f("ck_certificate_status_changes_status"),
        ),
        sa.CheckConstraint(
            "kind IN ('issued', 'revoked', 'reinstated', 'rule')",
            name=op.f("ck_certificate_status_changes_kind"),
        ),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_certificate_status_changes_reason")),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["users.id"],
            name=op.f("fk_certificate_status_changes_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_status_changes_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_status_changes")),
    )
    with op.batch_alter_table("certificate_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_certificate_status_changes_certificate", ["certificate_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_certificate_status_changes_by_id"), ["by_id"], unique=False
        )
    op.create_table(
        "certificate_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("cycle_starts_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('due_90', 'due_30', 'due_7', 'lapsed')",
            name=op.f("ck_certificate_notices_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_notices_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_notices")),
        sa.UniqueConstraint(
            "certificate_id",
            "cycle_starts_on",
            "kind",
            name=op.f("uq_certificate_notices_certificate_id_cycle_starts_on_kind"),
        ),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="valid")
        )
        batch_op.create_check_constraint(
            "status", "status IN ('valid', 'lapsed', 'expired', 'revoked')"
        )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_constraint("entry_type", type_="check")
        batch_op.create_check_constraint("entry_type", ENTRY_TYPES_AFTER)
    # The history each existing certificate has so far: valid since issue, then revoked.
    op.execute(
        "INSERT INTO certificate_status_changes"
        " (certificate_id, status, since, kind, reason, recorded_at, by_id)"
        " SELECT id, 'valid', issued_on, 'issued', 'Certificate issued.', created_at,"
        " issued_by_id FROM certificates ORDER BY id"
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    revoked_day = (
        "substr(revoked_at, 1, 10)" if sqlite else "CAST(revoked_at AT TIME ZONE 'UTC' AS DATE)"
    )
    op.execute(
        "INSERT INTO certificate_status_changes"
        " (certificate_id, status, since, kind, reason, recorded_at, by_id)"
        f" SELECT id, 'revoked', {revoked_day}, 'revoked', revocation_reason,"
        " revoked_at, revoked_by_id FROM certificates WHERE revoked_at IS NOT NULL ORDER BY id"
    )
    op.execute("UPDATE certificates SET status = 'revoked' WHERE revoked_at IS NOT NULL")


def downgrade():
    op.execute("DELETE FROM signatures WHERE entry_type = 'certificate'")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_constraint("entry_type", type_="check")
        batch_op.create_check_constraint("entry_type", ENTRY_TYPES_BEFORE)
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint("status", type_="check")
        batch_op.drop_column("status")
    op.drop_table("certificate_notices")
    with op.batch_alter_table("certificate_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_status_changes_by_id"))
        batch_op.drop_index("ix_certificate_status_changes_certificate")
    op.drop_table("certificate_status_changes")
