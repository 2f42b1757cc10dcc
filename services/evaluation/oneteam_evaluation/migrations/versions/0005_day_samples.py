"""Each settled local day's KPI samples, and the days' write versions that say which are current.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen here: the revision must not change when the code's dimensions do.
DIMENSIONS = ("tenant", "district", "grid", "team", "officer", "category", "source", "department", "rule")


def upgrade() -> None:
    op.create_table(
        "ev_days",
        sa.Column("tenant", sa.String(12), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
        sa.Column("settled_version", sa.BigInteger),
        sa.Column("settled_at", sa.DateTime(timezone=True)),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ev_days_unsettled", "ev_days", ["day"],
                    postgresql_where=sa.text("settled_version IS DISTINCT FROM version"))
    op.create_table(
        "ev_day_samples",
        sa.Column("tenant", sa.String(12), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kpi", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ref", PgUUID(as_uuid=True), nullable=False),
        sa.Column("hit", sa.Boolean, nullable=False),
        sa.Column("seconds", sa.Float),
        sa.Column("ticking", sa.Boolean, nullable=False),
        *(sa.Column(f"d_{name}", ARRAY(sa.String)) for name in DIMENSIONS),
    )
    op.create_index("ev_day_samples_kpi", "ev_day_samples", ["tenant", "kpi", "day"])
    op.create_index("ev_day_samples_day", "ev_day_samples", ["tenant", "day"])
    op.create_index("ev_day_samples_ref", "ev_day_samples", ["ref"])
    # A write finds the days of an incident's ratings (store.days).
    op.create_index("ev_ratings_incident", "ev_ratings", ["tenant", "incident_id"])


def downgrade() -> None:
    op.drop_index("ev_ratings_incident", "ev_ratings")
    op.drop_table("ev_day_samples")
    op.drop_table("ev_days")
