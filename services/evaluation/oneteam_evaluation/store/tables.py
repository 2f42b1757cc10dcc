"""The read model's tables as they are now: revision 0001's, 0002's departments of a case; 0003's breaches;
0004's archive of daily reports."""

from sqlalchemy import Column, Date, DateTime, Float, Index, LargeBinary, MetaData, String, Table, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from oneteam_evaluation.store import schema_0001 as first
from oneteam_evaluation.store.schema_0001 import incidents, mediations, members, orders, ratings, state

metadata = MetaData()
cases = first.cases.to_metadata(metadata)
cases.append_column(Column("departments", JSONB))

# Breaches of a target (kpi.alert), not facts: a rebuild keeps them, so it does not alert again.
# One open breach per tenant and KPI; a recovered one stays as history.
breaches = Table(
    "ev_kpi_breaches", metadata,
    Column("alert_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False),
    Column("kpi", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("value", Float, nullable=False),
    Column("target", Float, nullable=False),
    Column("recovered_at", DateTime(timezone=True)),
)
Index("ev_kpi_breaches_open", breaches.c.tenant, breaches.c.kpi, unique=True,
      postgresql_where=text("recovered_at IS NULL"))

# The daily reports (日报) made at the tenant's hour, as they were then; not facts, so a rebuild keeps them.
daily_reports = Table(
    "ev_daily_reports", metadata,
    Column("tenant", String(12), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("generated_at", DateTime(timezone=True), nullable=False),
    Column("xlsx", LargeBinary, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
)

READ_MODEL = (incidents, orders, members, ratings, cases, mediations)

__all__ = ["READ_MODEL", "breaches", "cases", "daily_reports", "incidents", "mediations", "members", "metadata",
           "orders", "ratings", "state"]
