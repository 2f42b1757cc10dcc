"""Open orders are found by tenant without reading the closed ones (officers' workload counts).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# domain.assignments.OPEN_STATUSES, as they were when this revision was written.
_OPEN = "status IN ('acknowledged', 'arrived', 'created')"


def upgrade() -> None:
    op.create_index("assignments_open", "assignments", ["tenant"], postgresql_where=sa.text(_OPEN))


def downgrade() -> None:
    op.drop_index("assignments_open", "assignments")
