"""Audit keys: the audit chain and the signatures' bindings are keyed (HMAC-SHA256) with a secret
held in configuration; each event and signature names the key it was made with.

Rows written before this revision keep an empty key id: their hashes stay plain SHA-256 and still
verify (events only up to AUDIT_LEGACY_LAST_ID, see the README). Nothing is recomputed.

Revision ID: 20261129_09
Revises: 20261127_08
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "20261129_09"
down_revision = "20261127_08"
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite a batch rebuild would copy audit_events and drop its append-only triggers with
    # the old table: a plain ADD COLUMN keeps them.
    op.add_column("audit_events", sa.Column("key_id", sa.String(length=32), nullable=True))
    op.add_column("signatures", sa.Column("key_id", sa.String(length=32), nullable=True))


def downgrade():
    # Keyed rows cannot be checked without their key id: after going back, `flask audit verify`
    # reports the first keyed event as changed. DROP COLUMN needs SQLite 3.35 or later; a batch
    # rebuild would lose audit_events' triggers here too.
    op.drop_column("signatures", "key_id")
    op.drop_column("audit_events", "key_id")
