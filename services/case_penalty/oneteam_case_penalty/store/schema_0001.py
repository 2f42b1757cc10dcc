"""The schema as revision 0001 created it, frozen: 0001 builds its tables from this metadata.

Later revisions change the schema with ``op.*`` and ``tables.py`` then defines the live
tables itself. Never edit this file, or a fresh database would differ from a migrated one.
"""

from sqlalchemy import BigInteger, Column, DateTime, Index, LargeBinary, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

metadata = MetaData()

# The case as the domain holds it (document) plus the columns queries filter on.
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
)
Index("cases_tenant_opened", cases.c.tenant, cases.c.opened_at)
Index("cases_party", cases.c.party_ref)

# Parties apart from cases: the identifier only encrypted, contact details only encrypted.
parties = Table(
    "parties",
    metadata,
    Column("party_ref", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("identifier_enc", LargeBinary, nullable=True),
    Column("contact_enc", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Every violation found against a party, by any department: "first violation" reads this.
violations = Table(
    "violations",
    metadata,
    Column("case_id", PgUUID(as_uuid=True), nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("party_ref", String(64), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("department", String(64), nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
)

# Append-only, hash-chained per tenant (检察监督).
trail = Table(
    "trail",
    metadata,
    Column("tenant", String(12), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("action", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", JSONB, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# The last number issued per tenant, document kind and year (e.g. 西湖综执罚〔2026〕12号).
document_numbers = Table(
    "document_numbers",
    metadata,
    Column("tenant", String(12), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("year", BigInteger, primary_key=True),
    Column("last", BigInteger, nullable=False),
    Column("note", Text, nullable=True),
)
