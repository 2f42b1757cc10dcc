"""The category's merge lock and the nearby-incident search in one round trip.

A report took the (tenant, category) advisory lock, then searched for open incidents nearby: two
round trips, and each round trip costs intake more CPU than the rows it carries. One plain
statement cannot do both, because its snapshot is taken before the lock is granted and would
miss the incident the lock's previous holder just committed. A VOLATILE function's statements
each take a fresh snapshot, so the search inside it sees everything committed before the lock
was granted, as the separate statement did.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE OR REPLACE FUNCTION intake_open_near_locked(
    lock_key bigint, p_tenant text, p_category text, p_since timestamptz,
    p_min_lon double precision, p_min_lat double precision, p_max_lon double precision, p_max_lat double precision)
RETURNS SETOF incidents LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT * FROM incidents
        WHERE tenant = p_tenant AND category = p_category AND status <> 'closed' AND last_report_at >= p_since
          AND lon BETWEEN p_min_lon AND p_max_lon AND lat BETWEEN p_min_lat AND p_max_lat;
END
$$""")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS intake_open_near_locked(bigint, text, text, timestamptz, double precision, "
               "double precision, double precision, double precision)")
