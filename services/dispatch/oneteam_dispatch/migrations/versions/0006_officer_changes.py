"""Every officer row records the transaction that last wrote it, so a dispatch process can read
only the rows written since its last read (store.officers.RosterRows).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # xid8: 64 bits, never wraps around. New rows take the inserting transaction by default;
    # the trigger stamps every update, whichever statement makes it.
    op.execute("ALTER TABLE officers ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.execute("""
        CREATE FUNCTION officers_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.changed_xid := pg_current_xact_id();
            RETURN NEW;
        END $$""")
    op.execute("CREATE TRIGGER officers_stamp_change BEFORE UPDATE ON officers "
               "FOR EACH ROW EXECUTE FUNCTION officers_stamp_change()")


def downgrade() -> None:
    op.execute("DROP TRIGGER officers_stamp_change ON officers")
    op.execute("DROP FUNCTION officers_stamp_change()")
    op.drop_column("officers", "changed_xid")
