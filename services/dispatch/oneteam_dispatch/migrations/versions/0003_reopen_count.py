"""Incidents remember how often they were reopened at intake.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dispatch_incidents", sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("dispatch_incidents", "reopen_count")
