"""The schema as revision 0001 created it, frozen: 0001 builds its tables from this metadata.

Later revisions change the schema with ``op.*`` and ``tables.py`` then defines the live
tables itself. Never edit this file, or a fresh database would differ from a migrated one.
"""

from sqlalchemy import Column, DateTime, Index, MetaData, PrimaryKeyConstraint, String, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData()

# The mediation as the domain holds it (document) plus the columns queries filter on.
mediations = Table(
    "mediations",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False),
    Column("state", String(16), nullable=False),
    Column("origin", String(16), nullable=False),
    Column("category", String(64), nullable=False),
    Column("mediator_id", String(64), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("request_id", PgUUID(as_uuid=True), nullable=True, unique=True),  # one mediation per hand-off
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("concluded_at", DateTime(timezone=True), nullable=True),
    Column("document", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("mediations_tenant_opened", mediations.c.tenant, mediations.c.opened_at)
Index("mediations_mediator_state", mediations.c.mediator_id, mediations.c.state)

# Names, phones and addresses apart from the mediation, shown masked to roles without need.
party_contacts = Table(
    "party_contacts",
    metadata,
    Column("mediation_id", PgUUID(as_uuid=True), nullable=False),
    Column("party_id", String(16), nullable=False),
    Column("contact", JSONB, nullable=False),
    PrimaryKeyConstraint("mediation_id", "party_id"),
)

# Who and what each session holds, across every mediation of the tenant (no double-booking).
bookings = Table(
    "bookings",
    metadata,
    Column("tenant", String(12), nullable=False),
    Column("resource", String(16), nullable=False),
    Column("resource_id", String(100), nullable=False),
    Column("session_id", PgUUID(as_uuid=True), nullable=False),
    Column("mediation_id", PgUUID(as_uuid=True), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("session_id", "resource", "resource_id"),
)
Index("bookings_resource_time", bookings.c.tenant, bookings.c.resource, bookings.c.resource_id, bookings.c.starts_at)
