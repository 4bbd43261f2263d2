"""Certificates as Open Badges 3.0 verifiable credentials.

- certificate_credentials: each certificate's signed OpenBadgeCredential (one per certificate).
- credential_status_lists: the Bitstring Status Lists (revocation, suspension) the app publishes
  and signs, each at least 131,072 entries long, with the last signed list credential.
- credential_status_entries: a certificate's random index in a list (never reused) and its bit.

Revision ID: 20261201_d1
Revises: 20261201_c1
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "20261201_d1"
down_revision = "20261201_c1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=80), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("verification_method", sa.String(length=300), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_credentials_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_credentials")),
        sa.UniqueConstraint(
            "certificate_id", name=op.f("uq_certificate_credentials_certificate_id")
        ),
        sa.UniqueConstraint("credential_id", name=op.f("uq_certificate_credentials_credential_id")),
    )
    op.create_table(
        "credential_status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('revocation', 'suspension')",
            name=op.f("ck_credential_status_lists_purpose"),
        ),
        sa.CheckConstraint(
            "size >= 131072 AND size % 8 = 0", name=op.f("ck_credential_status_lists_size")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_status_lists")),
    )
    op.create_table(
        "credential_status_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("list_index", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("set", sa.Boolean(), server_default="0", nullable=False),
        sa.CheckConstraint("list_index >= 0", name=op.f("ck_credential_status_entries_list_index")),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_credential_status_entries_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["credential_status_lists.id"],
            name=op.f("fk_credential_status_entries_status_list_id_credential_status_lists"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_status_entries")),
        sa.UniqueConstraint(
            "certificate_id",
            "status_list_id",
            name=op.f("uq_credential_status_entries_certificate_id_status_list_id"),
        ),
        sa.UniqueConstraint(
            "status_list_id",
            "list_index",
            name=op.f("uq_credential_status_entries_status_list_id_list_index"),
        ),
    )
    op.create_index(
        "ix_credential_status_entries_certificate",
        "credential_status_entries",
        ["certificate_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(
        "ix_credential_status_entries_certificate", table_name="credential_status_entries"
    )
    op.drop_table("credential_status_entries")
    op.drop_table("credential_status_lists")
    op.drop_table("certificate_credentials")
