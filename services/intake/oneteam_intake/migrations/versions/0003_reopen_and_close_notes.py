"""Reopening closed incidents (with their history) and keeping closing notes here.

Closing notes no longer travel on `incident.closed` (free text stays off public topics), so
intake keeps them itself.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incidents", sa.Column("close_note", sa.Text, nullable=True))
    op.add_column("incidents", sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "incident_reopens",
        sa.Column("incident_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(32), nullable=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("incident_reopens")
    op.drop_column("incidents", "reopen_count")
    op.drop_column("incidents", "close_note")
