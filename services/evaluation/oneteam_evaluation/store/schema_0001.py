"""The read model as revision 0001 created it, frozen: 0001 builds its tables from this metadata.

Facts only, one row per incident, order, officer on an order, rating, case and mediation,
each keyed by tenant. Figures are computed from these rows when asked, so an event that
arrives late only fills in a fact and every figure that reads it is right from then on.
"""

from sqlalchemy import Boolean, Column, DateTime, Float, Index, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData()


def _tenant() -> Column[str]:
    return Column("tenant", String(12), primary_key=True)


incidents = Table(
    "ev_incidents", metadata, _tenant(),
    Column("incident_id", PgUUID(as_uuid=True), primary_key=True),
    Column("category", String(64)),
    Column("source", String(32)),
    Column("district", String(64)),
    Column("grid", String(64)),
    Column("lon", Float),
    Column("lat", Float),
    Column("reported_at", DateTime(timezone=True)),
    Column("report_count", Integer, nullable=False, server_default="1"),
    Column("first_closed_at", DateTime(timezone=True)),
    Column("last_closed_at", DateTime(timezone=True)),
    Column("resolution", String(32)),
    Column("reopen_count", Integer, nullable=False, server_default="0"),
    Column("queued_at", DateTime(timezone=True)),
    Column("mediation_outcome", String(32)),
    Column("mediation_at", DateTime(timezone=True)),
)
Index("ev_incidents_reported", incidents.c.tenant, incidents.c.reported_at)
Index("ev_incidents_closed", incidents.c.tenant, incidents.c.first_closed_at)

orders = Table(
    "ev_orders", metadata, _tenant(),
    Column("assignment_id", PgUUID(as_uuid=True), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True)),
    Column("team", String(64)),
    Column("category", String(64)),
    Column("officer_ids", JSONB),
    Column("officers_as_of", DateTime(timezone=True)),  # the event time officer_ids was set at
    Column("created_at", DateTime(timezone=True)),
    Column("due", JSONB),  # SLA stage → ISO deadline
    Column("reported_at", DateTime(timezone=True)),
    Column("outcome", String(32)),
    Column("cancelled_at", DateTime(timezone=True)),
)
Index("ev_orders_created", orders.c.tenant, orders.c.created_at)
Index("ev_orders_incident", orders.c.tenant, orders.c.incident_id)

members = Table(
    "ev_order_members", metadata, _tenant(),
    Column("assignment_id", PgUUID(as_uuid=True), primary_key=True),
    Column("officer_id", String(64), primary_key=True),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("arrived_at", DateTime(timezone=True)),
    Column("distance_m", Float),
)

ratings = Table(
    "ev_ratings", metadata, _tenant(),
    Column("report_id", PgUUID(as_uuid=True), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True), nullable=False),
    Column("rating", String(32), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("category", String(64)),
    Column("source", String(32)),
)
Index("ev_ratings_received", ratings.c.tenant, ratings.c.received_at)

cases = Table(
    "ev_cases", metadata, _tenant(),
    Column("case_id", PgUUID(as_uuid=True), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True)),
    Column("category", String(64)),
    Column("opened_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("outcome", String(32)),
    Column("closed_at", DateTime(timezone=True)),
    Column("on_time", Boolean),
    Column("deadline_missed", Boolean, nullable=False, server_default="false"),
)

mediations = Table(
    "ev_mediations", metadata, _tenant(),
    Column("mediation_id", PgUUID(as_uuid=True), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True)),
    Column("category", String(64)),
    Column("concluded_at", DateTime(timezone=True)),
    Column("outcome", String(32)),
    Column("on_time", Boolean),
)

# Which consumer group feeds the read model: a rebuild moves to the next generation, so its
# fresh group reads every topic from the beginning and its inbox starts empty.
state = Table(
    "ev_state", metadata,
    Column("name", String(32), primary_key=True),
    Column("generation", Integer, nullable=False),
)

READ_MODEL = (incidents, orders, members, ratings, cases, mediations)
