"""What a certificate certifies, who signed it, and the address printed on it.

- tracks.credential_name: the credential a track leads to ("Certified KAP Practitioner"), printed
  on its certificates; existing tracks get "<program name> certificate".
- users.job_title: a staff member's title, printed under their name as the certificate's
  signatory; empty for everyone to begin with.
- certificates.credential_name: the credential's name as it was on the day of issue (like the
  printed name and program); existing certificates take their track's.
- certificates.verification_url: the verification address printed on the certificate when it
  was issued. Existing certificates keep NULL: the address they were printed with is not known,
  so theirs is computed from the current PUBLIC_BASE_URL (as before this change).

Revision ID: 20261129_12
Revises: 20261129_11
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "20261129_12"
down_revision = "20261129_11"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credential_name", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("job_title", sa.String(length=120), nullable=False, server_default="")
        )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credential_name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("verification_url", sa.String(length=500), nullable=True))
    op.execute(
        "UPDATE tracks SET credential_name = substr("
        "(SELECT programs.name FROM programs WHERE programs.id = tracks.program_id)"
        " || ' certificate', 1, 200)"
    )
    op.execute(
        "UPDATE certificates SET credential_name = coalesce("
        "(SELECT tracks.credential_name FROM enrollments"
        " JOIN tracks ON tracks.id = enrollments.track_id"
        " WHERE enrollments.id = certificates.enrollment_id),"
        " substr(certificates.program_name || ' certificate', 1, 200))"
    )


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("verification_url")
        batch_op.drop_column("credential_name")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("job_title")
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_column("credential_name")
