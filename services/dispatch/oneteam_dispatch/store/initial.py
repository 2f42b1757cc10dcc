"""The schema as revision 0001 created it, frozen: 0001 builds its tables from this metadata.

Later revisions change the schema with ``op.*``; the live table definitions are in
``tables.py``. Never edit this file, or a fresh database would differ from a migrated one.
"""

from sqlalchemy import Column, DateTime, Double, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData()

Table(
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
)

Table(
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
)

Table(
    "waiting_incidents",
    metadata,
    Column("incident_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)
