"""Intake's tables as revision 0003 leaves them (revisions in `migrations/versions`; 0004 adds a function)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData()

incidents = Table(
    "incidents",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("report_count", Integer, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("source", String(32), nullable=False),
    Column("district", String(64), nullable=True),
    Column("grid", String(64), nullable=True),
    Column("last_report_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("resolution", String(32), nullable=True),
    Column("close_note", Text, nullable=True),  # kept here: free text is not published
    Column("reopen_count", Integer, nullable=False, server_default="0"),
)
# Duplicate look-ups: open incidents of one category in one tenant, recent first.
Index("incidents_open_by_category", incidents.c.tenant, incidents.c.category, incidents.c.last_report_at,
      postgresql_where=text("status <> 'closed'"))

reports = Table(
    "reports",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True), ForeignKey("incidents.id"), nullable=True, index=True),
    Column("tenant", String(12), nullable=False),
    Column("source", String(32), nullable=False),
    Column("client_report_id", String(200), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("state", String(16), nullable=False),
    Column("category", String(64), nullable=True),
    Column("description", Text, nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("district", String(64), nullable=True),
    Column("grid", String(64), nullable=True),
    # Who sent it, for re-send detection: "platform:hotline-12345", "camera:cam-7", "import", ...
    Column("origin", String(100), nullable=True),
    Column("external_id", String(200), nullable=True),
    Column("reporter_subject", String(200), nullable=True),
    Column("photo_ids", JSONB, nullable=False),
    Column("detail", JSONB, nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)
Index("reports_by_external_id", reports.c.tenant, reports.c.origin, reports.c.external_id, unique=True,
      postgresql_where=text("external_id IS NOT NULL"))
Index("reports_waiting", reports.c.tenant, reports.c.state, reports.c.received_at,
      postgresql_where=text("state IN ('triage', 'review')"))

# Personal data lives apart from incidents and never reaches an event.
reporter_contacts = Table(
    "reporter_contacts",
    metadata,
    Column("report_id", PgUUID(as_uuid=True), ForeignKey("reports.id"), primary_key=True),
    Column("name", String(100), nullable=True),
    Column("phone", String(32), nullable=True),
    Column("email", String(200), nullable=True),
)

feedback = Table(
    "feedback",
    metadata,
    Column("report_id", PgUUID(as_uuid=True), ForeignKey("reports.id"), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("rating", String(32), nullable=False),
    Column("comment", Text, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# Every reopening, with the closure it undid: a reopened incident still counts against
# on-time closure, so its earlier closures stay on record.
incident_reopens = Table(
    "incident_reopens",
    metadata,
    Column("incident_id", PgUUID(as_uuid=True), ForeignKey("incidents.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("reason", String(32), nullable=False),
    Column("by", String(200), nullable=False),
    Column("comment", Text, nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("resolution", String(32), nullable=True),
    Column("reopened_at", DateTime(timezone=True), nullable=False),
)

# The incident a camera's label currently feeds, for the suppression window.
camera_suppressions = Table(
    "camera_suppressions",
    metadata,
    Column("tenant", String(12), primary_key=True),
    Column("camera_id", String(100), primary_key=True),
    Column("label", String(64), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True), ForeignKey("incidents.id"), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
)

# Signatures of platform pushes seen within the replay window.
inbound_signatures = Table(
    "inbound_signatures",
    metadata,
    Column("platform", String(64), primary_key=True),
    Column("signature", String(100), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)

photos = Table(
    "photos",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the content
    Column("content_type", String(50), nullable=False),
    Column("size", Integer, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)
