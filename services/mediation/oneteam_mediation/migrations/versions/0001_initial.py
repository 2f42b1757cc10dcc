"""Initial schema: mediations, party contacts, bookings; deadlines, outbox, inbox, idempotency keys.

Revision ID: 0001
Revises:
"""

from alembic import op

from oneteam_deadlines.scheduler import deadline_metadata
from oneteam_eventbus import bus_metadata
from oneteam_mediation.store.schema_0001 import metadata
from oneteam_servicekit.idempotency import kit_metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The first revision creates tables straight from their (frozen) definitions; later
# revisions spell out each change with op.* so history stays replayable.
_ALL = (bus_metadata, kit_metadata, deadline_metadata, metadata)


def upgrade() -> None:
    for tables in _ALL:
        tables.create_all(op.get_bind())


def downgrade() -> None:
    for tables in reversed(_ALL):
        tables.drop_all(op.get_bind())
