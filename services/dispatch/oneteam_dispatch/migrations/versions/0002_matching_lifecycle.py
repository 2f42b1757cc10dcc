"""Matching and the assignment's life: officer attributes, joint members, incidents, deadlines,
position tracks, responsibility list versions, joint operations.

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

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("officers", sa.Column("department", sa.String(64), nullable=False,
                                        server_default="comprehensive_enforcement"))
    op.add_column("officers", sa.Column("district", sa.String(64), nullable=True))
    op.add_column("officers", sa.Column("mode", sa.String(16), nullable=False, server_default="e_bike"))
    op.add_column("officers", sa.Column("shifts", pg.ARRAY(sa.String(16)), nullable=False, server_default="{}"))
    op.add_column("officers", sa.Column("position_at", _TS, nullable=True))

    op.add_column("assignments", sa.Column("officer_ids", pg.ARRAY(sa.String(64)), nullable=False,
                                           server_default="{}"))
    op.add_column("assignments", sa.Column("members", pg.JSONB, nullable=False, server_default="[]"))
    op.add_column("assignments", sa.Column("sla_profile", sa.String(64), nullable=False, server_default="1358"))
    op.add_column("assignments", sa.Column("eta_s", sa.Double, nullable=True))
    op.add_column("assignments", sa.Column("runner_up_officer_id", sa.String(64), nullable=True))
    op.add_column("assignments", sa.Column("runner_up_eta_s", sa.Double, nullable=True))
    op.add_column("assignments", sa.Column("escalated", pg.ARRAY(sa.String(16)), nullable=False,
                                           server_default="{}"))
    op.add_column("assignments", sa.Column("report", pg.JSONB, nullable=True))
    op.add_column("assignments", sa.Column("updated_at", _TS, nullable=True))
    # Walking-skeleton rows had one officer: make them joint-shaped with one member.
    op.execute("UPDATE assignments SET officer_ids = ARRAY[officer_id], members = jsonb_build_array("
               "jsonb_build_object('officer_id', officer_id, 'department', 'comprehensive_enforcement'))")
    op.create_index("assignments_officer_ids", "assignments", ["officer_ids"], postgresql_using="gin")

    op.create_table(
        "dispatch_incidents",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("tenant", sa.String(12), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.Column("district", sa.String(64), nullable=True),
        sa.Column("grid", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("excluded", pg.ARRAY(sa.String(64)), nullable=False, server_default="{}"),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("event_id", pg.UUID(as_uuid=True), nullable=True),
        sa.Column("correlation_id", pg.UUID(as_uuid=True), nullable=True),
        sa.Column("reported_at", _TS, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
    )
    op.create_index("dispatch_incidents_pending", "dispatch_incidents", ["received_at"],
                    postgresql_where=sa.text("state = 'pending'"))

    op.create_table(
        "deadlines",
        sa.Column("assignment_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("due_at", _TS, nullable=False),
        sa.Column("fired_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("assignment_id", "stage", "due_at"),
    )
    op.create_index("deadlines_due", "deadlines", ["due_at"], postgresql_where=sa.text("fired_at IS NULL"))

    op.create_table(
        "officer_positions",
        sa.Column("officer_id", sa.String(64), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.Column("accuracy_m", sa.Double, nullable=True),
        sa.Column("received_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("officer_id", "recorded_at", "source"),
    )

    op.create_table(
        "responsibility_versions",
        sa.Column("tenant", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", pg.JSONB, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("changed_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "version"),
    )

    op.create_table(
        "joint_operations",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("tenant", sa.String(12), nullable=False),
        sa.Column("target_id", sa.String(100), nullable=False),
        sa.Column("target_name", sa.String(200), nullable=False),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.Column("round", sa.String(64), nullable=False),
        sa.Column("members", pg.JSONB, nullable=False),
        sa.Column("checklist", pg.JSONB, nullable=False),
        sa.Column("findings", pg.JSONB, nullable=False, server_default="[]"),
        sa.Column("complete", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("tenant", "target_id", "round", name="joint_operations_one_per_round"),
    )


def downgrade() -> None:
    for table in ("joint_operations", "responsibility_versions", "officer_positions", "deadlines",
                  "dispatch_incidents"):
        op.drop_table(table)
    op.drop_index("assignments_officer_ids", "assignments")
    for column in ("updated_at", "report", "escalated", "runner_up_eta_s", "runner_up_officer_id", "eta_s",
                   "sla_profile", "members", "officer_ids"):
        op.drop_column("assignments", column)
    for column in ("position_at", "shifts", "mode", "district", "department"):
        op.drop_column("officers", column)
