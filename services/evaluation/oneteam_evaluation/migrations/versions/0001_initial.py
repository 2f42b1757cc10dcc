"""Initial schema: the read model (incidents, orders, members, ratings, cases, mediations), its state; inbox, outbox.

Revision ID: 0001
Revises:
"""

from alembic import op

from oneteam_evaluation.store.schema_0001 import metadata
from oneteam_eventbus import bus_metadata
from oneteam_servicekit.idempotency import kit_metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The first revision creates tables straight from their (frozen) definitions; later
# revisions spell out each change with op.* so history stays replayable.
_ALL = (bus_metadata, kit_metadata, metadata)


def upgrade() -> None:
    for tables in _ALL:
        tables.create_all(op.get_bind())


def downgrade() -> None:
    for tables in reversed(_ALL):
        tables.drop_all(op.get_bind())
