"""Cases remember the mediation they came from or were settled by: one case per mediation (调解不罚).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID as PgUUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("mediation_id", PgUUID(as_uuid=True), nullable=True))
    # Cases opened from mediation.failed before this revision kept the mediation nowhere: they stay NULL.
    op.create_index("cases_mediation", "cases", ["mediation_id"], unique=True)


def downgrade() -> None:
    op.drop_index("cases_mediation", table_name="cases")
    op.drop_column("cases", "mediation_id")
