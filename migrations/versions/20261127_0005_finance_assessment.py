"""Tuition ledger, payment plans and final-assessment records.

Revision ID: 20261127_05
Revises: 20261127_04
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_05"
down_revision = "20261127_04"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
