"""Every source, merging, triage, feedback: report details, camera suppression, signatures, photos.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as table:
        table.add_column(sa.Column("source", sa.String(32), nullable=False, server_default="citizen_app"))
        table.add_column(sa.Column("district", sa.String(64), nullable=True))
        table.add_column(sa.Column("grid", sa.String(64), nullable=True))
        table.add_column(sa.Column("last_report_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("resolution", sa.String(32), nullable=True))
    op.execute("UPDATE incidents SET last_report_at = updated_at")
    op.alter_column("incidents", "last_report_at", nullable=False)
    op.alter_column("incidents", "source", server_default=None)
    op.create_index("incidents_open_by_category", "incidents", ["tenant", "category", "last_report_at"],
                    postgresql_where=sa.text("status <> 'closed'"))

    op.alter_column("reports", "incident_id", nullable=True)
    op.add_column("reports", sa.Column("state", sa.String(16), nullable=False, server_default="accepted"))
    op.add_column("reports", sa.Column("category", sa.String(64), nullable=True))
    op.add_column("reports", sa.Column("description", sa.Text, nullable=True))
    op.add_column("reports", sa.Column("lon", sa.Double, nullable=True))
    op.add_column("reports", sa.Column("lat", sa.Double, nullable=True))
    op.add_column("reports", sa.Column("district", sa.String(64), nullable=True))
    op.add_column("reports", sa.Column("grid", sa.String(64), nullable=True))
    op.add_column("reports", sa.Column("origin", sa.String(100), nullable=True))
    op.add_column("reports", sa.Column("external_id", sa.String(200), nullable=True))
    op.add_column("reports", sa.Column("reporter_subject", sa.String(200), nullable=True))
    op.add_column("reports", sa.Column("photo_ids", postgresql.JSONB, nullable=False,
                                       server_default=sa.text("'[]'::jsonb")))
    op.add_column("reports", sa.Column("detail", postgresql.JSONB, nullable=True))
    op.add_column("reports", sa.Column("decided_by", sa.String(200), nullable=True))
    op.add_column("reports", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    # Reports of revision 0001 each opened their own incident: copy what they said from it.
    op.execute("""
        UPDATE reports r SET category = i.category, description = i.description, lon = i.lon, lat = i.lat
        FROM incidents i WHERE r.incident_id = i.id
    """)
    for column in ("description", "lon", "lat"):
        op.alter_column("reports", column, nullable=False)
    op.alter_column("reports", "state", server_default=None)
    op.alter_column("reports", "photo_ids", server_default=None)
    op.create_index("reports_by_external_id", "reports", ["tenant", "origin", "external_id"], unique=True,
                    postgresql_where=sa.text("external_id IS NOT NULL"))
    op.create_index("reports_waiting", "reports", ["tenant", "state", "received_at"],
                    postgresql_where=sa.text("state IN ('triage', 'review')"))

    op.add_column("reporter_contacts", sa.Column("email", sa.String(200), nullable=True))

    op.create_table(
        "feedback",
        sa.Column("report_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("reports.id"), primary_key=True),
        sa.Column("incident_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("rating", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_incident_id", "feedback", ["incident_id"])
    op.create_table(
        "camera_suppressions",
        sa.Column("tenant", sa.String(12), primary_key=True),
        sa.Column("camera_id", sa.String(100), primary_key=True),
        sa.Column("label", sa.String(64), primary_key=True),
        sa.Column("incident_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "inbound_signatures",
        sa.Column("platform", sa.String(64), primary_key=True),
        sa.Column("signature", sa.String(100), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbound_signatures_seen_at", "inbound_signatures", ["seen_at"])
    op.create_table(
        "photos",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("content_type", sa.String(50), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("photos", "inbound_signatures", "camera_suppressions", "feedback"):
        op.drop_table(table)
    op.drop_column("reporter_contacts", "email")
    op.drop_index("reports_waiting", "reports")
    op.drop_index("reports_by_external_id", "reports")
    op.execute("DELETE FROM reporter_contacts WHERE report_id IN (SELECT id FROM reports WHERE incident_id IS NULL)")
    op.execute("DELETE FROM reports WHERE incident_id IS NULL")
    for column in ("decided_at", "decided_by", "detail", "photo_ids", "reporter_subject", "external_id", "origin",
                   "grid", "district", "lat", "lon", "description", "category", "state"):
        op.drop_column("reports", column)
    op.alter_column("reports", "incident_id", nullable=False)
    op.drop_index("incidents_open_by_category", "incidents")
    for column in ("resolution", "closed_at", "last_report_at", "grid", "district", "source"):
        op.drop_column("incidents", column)
