"""Case-penalty's tables as they are now: revision 0001's, plus 0002's `cases.mediation_id`."""

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from oneteam_case_penalty.store import schema_0001

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False),
    Column("state", String(16), nullable=False),
    Column("category", String(64), nullable=False),
    Column("officer_id", String(64), nullable=False),
    Column("party_ref", String(64), nullable=True),
    Column("request_id", PgUUID(as_uuid=True), nullable=True, unique=True),  # one case per hand-off
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("document", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("mediation_id", PgUUID(as_uuid=True), nullable=True),  # 0002: one case per mediation
)
Index("cases_tenant_opened", cases.c.tenant, cases.c.opened_at)
Index("cases_party", cases.c.party_ref)
Index("cases_mediation", cases.c.mediation_id, unique=True)

# Unchanged since revision 0001.
parties = schema_0001.parties.to_metadata(metadata)
violations = schema_0001.violations.to_metadata(metadata)
trail = schema_0001.trail.to_metadata(metadata)
document_numbers = schema_0001.document_numbers.to_metadata(metadata)

__all__ = ["cases", "document_numbers", "metadata", "parties", "trail", "violations"]
