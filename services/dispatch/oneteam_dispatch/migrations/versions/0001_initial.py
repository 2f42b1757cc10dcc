"""Initial schema: officers, assignments, waiting incidents, outbox, inbox, idempotency keys.

Revision ID: 0001
Revises:
"""

from oneteam_dispatch.store import metadata
from oneteam_servicekit.migrations import create_first, drop_first

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_first(metadata)


def downgrade() -> None:
    drop_first(metadata)
