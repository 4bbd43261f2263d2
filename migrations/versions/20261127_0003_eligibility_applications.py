"""Eligibility records (licences, insurance, attestations) and application items.

Revision ID: 20261127_03
Revises: 20261127_02
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_03"
down_revision = "20261127_02"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
