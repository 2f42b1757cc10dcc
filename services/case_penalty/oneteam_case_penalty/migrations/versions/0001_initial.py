"""Initial schema: cases, parties, violations, trail, document numbers; deadlines, outbox, inbox, idempotency keys.

Revision ID: 0001
Revises:
"""

from oneteam_case_penalty.store.schema_0001 import metadata
from oneteam_deadlines.scheduler import deadline_metadata
from oneteam_servicekit.migrations import create_first, drop_first

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_first(deadline_metadata, metadata)


def downgrade() -> None:
    drop_first(deadline_metadata, metadata)
