"""The schema revision 0001 creates, frozen as it was.

Revision 0001 builds its tables from `metadata` here; later revisions change them with
`op.*`, and `store.tables` describes the result. Never edit this file.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
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
)

reports = Table(
    "reports",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("tenant", String(12), nullable=False),
    Column("source", String(32), nullable=False),
    Column("client_report_id", String(200), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# Personal data lives apart from incidents and never reaches an event.
reporter_contacts = Table(
    "reporter_contacts",
    metadata,
    Column("report_id", PgUUID(as_uuid=True), ForeignKey("reports.id"), primary_key=True),
    Column("name", String(100), nullable=True),
    Column("phone", String(32), nullable=True),
)
