"""Breaches of a target, so a KPI below its target is alerted once per breach, across restarts.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ev_kpi_breaches",
        sa.Column("alert_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("tenant", sa.String(12), nullable=False),
        sa.Column("kpi", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("target", sa.Float, nullable=False),
        sa.Column("recovered_at", sa.DateTime(timezone=True)),
    )
    # One open breach per tenant and KPI: the second replica to see a fall finds it already raised.
    op.create_index("ev_kpi_breaches_open", "ev_kpi_breaches", ["tenant", "kpi"], unique=True,
                    postgresql_where=sa.text("recovered_at IS NULL"))


def downgrade() -> None:
    op.drop_table("ev_kpi_breaches")
