"""Cases keep the departments whose rules were in question, for figures by department.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null until the case's events are read again: a rebuild fills it for the topics' history.
    op.add_column("ev_cases", sa.Column("departments", pg.JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("ev_cases", "departments")
