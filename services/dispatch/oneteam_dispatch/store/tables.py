"""Dispatch's tables as they are now (revision 0001 plus the later ``op.*`` revisions)."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData()

officers = Table(
    "officers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(12), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("team", String(100), nullable=True),
    Column("skills", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("status", String(16), nullable=False),
    Column("lon", Double, nullable=True),
    Column("lat", Double, nullable=True),
    Column("last_assigned_at", DateTime(timezone=True), nullable=True),
    Column("department", String(64), nullable=False, server_default="comprehensive_enforcement"),
    Column("district", String(64), nullable=True),
    Column("mode", String(16), nullable=False, server_default="e_bike"),
    Column("shifts", ARRAY(String(16)), nullable=False, server_default="{}"),
    Column("position_at", DateTime(timezone=True), nullable=True),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False),
    Column("incident_id", PgUUID(as_uuid=True), nullable=False, index=True),
    Column("officer_id", String(64), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("deadlines", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("officer_ids", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("members", JSONB, nullable=False, server_default="[]"),
    Column("sla_profile", String(64), nullable=False, server_default="1358"),
    Column("eta_s", Double, nullable=True),
    Column("runner_up_officer_id", String(64), nullable=True),
    Column("runner_up_eta_s", Double, nullable=True),
    Column("escalated", ARRAY(String(16)), nullable=False, server_default="{}"),
    Column("report", JSONB, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)
Index("assignments_officer_ids", assignments.c.officer_ids, postgresql_using="gin")
# Open orders of a tenant, for officers' workload counts: the closed ones pile up, the open ones do not.
Index("assignments_open", assignments.c.tenant,
      postgresql_where=text("status IN ('acknowledged', 'arrived', 'created')"))

waiting_incidents = Table(
    "waiting_incidents",
    metadata,
    Column("incident_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)

# Every incident dispatch has heard of, and where it stands in matching.
incidents = Table(
    "dispatch_incidents",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False),
    Column("category", String(64), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("district", String(64), nullable=True),
    Column("grid", String(64), nullable=True),
    Column("state", String(16), nullable=False),  # domain.incidents.IncidentState
    Column("excluded", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("reason", Text, nullable=True),
    Column("event_id", PgUUID(as_uuid=True), nullable=True),
    Column("correlation_id", PgUUID(as_uuid=True), nullable=True),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("reopen_count", Integer, nullable=False, server_default="0"),  # times intake reopened it
    # W3C trace context of incident.reported: the matcher's order, later, joins the report's trace.
    Column("traceparent", String(55), nullable=True),
)
Index("dispatch_incidents_pending", incidents.c.received_at, postgresql_where=text("state = 'pending'"))

deadlines = Table(
    "deadlines",
    metadata,
    Column("assignment_id", PgUUID(as_uuid=True), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("fired_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("assignment_id", "stage", "due_at"),
)
Index("deadlines_due", deadlines.c.due_at, postgresql_where=text("fired_at IS NULL"))

officer_positions = Table(
    "officer_positions",
    metadata,
    Column("officer_id", String(64), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("source", String(16), nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("accuracy_m", Double, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("officer_id", "recorded_at", "source"),
)

responsibility_versions = Table(
    "responsibility_versions",
    metadata,
    Column("tenant", String(12), nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", JSONB, nullable=False),
    Column("author", String(200), nullable=False),
    Column("note", Text, nullable=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tenant", "version"),
)

joint_operations = Table(
    "joint_operations",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("target_name", String(200), nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("round", String(64), nullable=False),
    Column("members", JSONB, nullable=False),
    Column("checklist", JSONB, nullable=False),
    Column("findings", JSONB, nullable=False, server_default="[]"),
    Column("complete", Boolean, nullable=False, server_default="false"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant", "target_id", "round", name="joint_operations_one_per_round"),
)
