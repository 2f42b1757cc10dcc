"""The outbox and inbox tables every service's database carries."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

bus_metadata = MetaData()

outbox = Table(
    "outbox",
    bus_metadata,
    # The sequence gives publication order; per-key order holds because writers of one
    # aggregate serialise on its row before they insert their events.
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("key", LargeBinary, nullable=True),
    Column("headers", JSONB, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)
Index("outbox_unsent", outbox.c.seq, postgresql_where=text("sent_at IS NULL"))

inbox = Table(
    "inbox",
    bus_metadata,
    Column("consumer_group", String(200), primary_key=True),
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
