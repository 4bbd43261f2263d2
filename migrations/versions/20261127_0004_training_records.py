"""Training records: didactic and experiential hours, supervised sessions, case presentations, CE.

Revision ID: 20261127_04
Revises: 20261127_03
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_04"
down_revision = "20261127_03"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
