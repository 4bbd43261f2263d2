"""Ledger voids: an entry is corrected by a void, a new entry that names it.

- ledger_entries.voids_id: the entry a void takes back (NULL for an ordinary entry), with a
  unique index so that an entry is voided once at most.
- A trigger refuses a void that does not match a live entry: its original must be on the same
  enrollment, of the same kind and amount, and not itself a void. The entries stay append-only.
- Existing entries are ordinary entries (voids_id NULL); nothing is rewritten.

Revision ID: 20261130_03
Revises: 20261130_02
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "20261130_03"
down_revision = "20261130_02"
branch_labels = None
depends_on = None

# The original of a void: the same enrollment, kind and amount, and not a void itself.
MATCHING_ORIGINAL = """
    SELECT 1 FROM ledger_entries AS original
    WHERE original.id = NEW.voids_id
      AND original.voids_id IS NULL
      AND original.enrollment_id = NEW.enrollment_id
      AND original.kind = NEW.kind
      AND original.amount_cents = NEW.amount_cents
"""
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER ledger_entries_void_matches BEFORE INSERT ON ledger_entries
        WHEN NEW.voids_id IS NOT NULL AND NOT EXISTS ({MATCHING_ORIGINAL})
        BEGIN SELECT RAISE(ABORT, 'a void must match a live entry of its enrollment'); END""",
)
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION ledger_entries_void_matches() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.voids_id IS NOT NULL AND NOT EXISTS ({MATCHING_ORIGINAL}) THEN
            RAISE EXCEPTION 'a void must match a live entry of its enrollment';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER ledger_entries_void_matches BEFORE INSERT ON ledger_entries
       FOR EACH ROW EXECUTE FUNCTION ledger_entries_void_matches()""",
)
# The append-only triggers of revision 20261127_05, which a SQLite table rebuild drops.
SQLITE_APPEND_ONLY = (
    """CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    """CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _postgres():
        op.add_column("ledger_entries", sa.Column("voids_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_ledger_entries_voids_id_ledger_entries"),
            "ledger_entries",
            "ledger_entries",
            ["voids_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    else:
        # SQLite adds a named foreign key only by rebuilding the table, which drops its
        # append-only triggers: they are created again on the new table.
        with op.batch_alter_table("ledger_entries", schema=None, recreate="always") as batch_op:
            batch_op.add_column(sa.Column("voids_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f("fk_ledger_entries_voids_id_ledger_entries"),
                "ledger_entries",
                ["voids_id"],
                ["id"],
                ondelete="RESTRICT",
            )
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)
    op.create_index("uq_ledger_entries_voids_id", "ledger_entries", ["voids_id"], unique=True)
    for statement in POSTGRES_TRIGGERS if _postgres() else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    # Without the column a void would read as a second entry of its original's kind (a voided
    # payment paid twice), and the trail would no longer match the rows: refuse while any void
    # exists rather than change what the ledger says.
    voids = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM ledger_entries WHERE voids_id IS NOT NULL")
    )
    if voids:
        raise RuntimeError(
            f"{voids} ledger entries are voids; going below revision 20261130_03 would count "
            "each as a new entry of its original's kind. Restore a backup from before instead."
        )
    if _postgres():
        op.execute("DROP TRIGGER ledger_entries_void_matches ON ledger_entries")
        op.execute("DROP FUNCTION ledger_entries_void_matches()")
        op.drop_index("uq_ledger_entries_voids_id", table_name="ledger_entries")
        op.drop_constraint(
            op.f("fk_ledger_entries_voids_id_ledger_entries"), "ledger_entries", type_="foreignkey"
        )
        op.drop_column("ledger_entries", "voids_id")
        return
    op.execute("DROP TRIGGER ledger_entries_void_matches")
    op.drop_index("uq_ledger_entries_voids_id", table_name="ledger_entries")
    # SQLite cannot drop a column with a foreign key: the table is rebuilt, which drops its
    # append-only triggers; they are created again on the new table.
    with op.batch_alter_table("ledger_entries", schema=None, recreate="always") as batch_op:
        batch_op.drop_column("voids_id")
    for statement in SQLITE_APPEND_ONLY:
        op.execute(statement)
