"""Initial schema: the read model (incidents, orders, members, ratings, cases, mediations), its state; inbox, outbox.

Revision ID: 0001
Revises:
"""

from oneteam_evaluation.store.schema_0001 import metadata
from oneteam_servicekit.migrations import create_first, drop_first

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_first(metadata)


def downgrade() -> None:
    drop_first(metadata)
