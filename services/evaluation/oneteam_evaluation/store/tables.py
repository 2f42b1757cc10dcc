"""The read model's tables as they are now: revision 0001's, 0002's departments of a case; 0003's breaches;
0004's archive of daily reports; 0005's samples of settled days."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from oneteam_evaluation.domain.figures import DIMENSIONS
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

# Each local day's KPI samples, computed from the facts once the day has settled, so that a query
# over a month aggregates rows in PostgreSQL instead of recomputing the month. `version` counts
# the writes that touched the day; its samples count only while `settled_version` equals it.
days = Table(
    "ev_days", metadata,
    Column("tenant", String(12), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("version", BigInteger, nullable=False, server_default="1"),
    Column("settled_version", BigInteger),
    Column("settled_at", DateTime(timezone=True)),
    Column("touched_at", DateTime(timezone=True), nullable=False, server_default=func.now()),  # the last write's
)
Index("ev_days_unsettled", days.c.day, postgresql_where=text("settled_version IS DISTINCT FROM version"))

day_samples = Table(
    "ev_day_samples", metadata,
    Column("tenant", String(12), nullable=False),
    Column("day", Date, nullable=False),
    Column("kpi", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("ref", PgUUID(as_uuid=True), nullable=False),
    Column("hit", Boolean, nullable=False),
    Column("seconds", Float),
    Column("ticking", Boolean, nullable=False),  # the duration runs on: from `at` to the query's now
    *(Column(f"d_{name}", ARRAY(String)) for name in DIMENSIONS),
)
Index("ev_day_samples_kpi", day_samples.c.tenant, day_samples.c.kpi, day_samples.c.day)
Index("ev_day_samples_day", day_samples.c.tenant, day_samples.c.day)
Index("ev_day_samples_ref", day_samples.c.ref)

# 0005 also indexes ev_ratings (tenant, incident_id) for store.days; not declared on `ratings`,
# which is 0001's frozen table (0001 would create it too).

READ_MODEL = (incidents, orders, members, ratings, cases, mediations)
DERIVED = (days, day_samples)  # rebuilt from the facts; emptied with them

__all__ = ["DERIVED", "READ_MODEL", "breaches", "cases", "daily_reports", "day_samples", "days", "incidents",
           "mediations", "members", "metadata", "orders", "ratings", "state"]
