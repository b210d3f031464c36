"""Schema 3: the history action "check" (independent double checks: matched, mismatched, lost).

The record table's CHECK constraint names the actions it accepts. PostgreSQL swaps the
constraint; SQLite cannot alter one, so its table is rebuilt with every row, index and
append-only trigger kept (inside the migration's one transaction).
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ACTIONS = "('save', 'print', 'export-pdf', 'check')"
_COLUMNS = (
    "id, recorded_at, user, workstation, action, label, product, indication, inputs_json, "
    "results_json, overrides_json, formulary_revision, app_version, uid, formulary_revision_id, login"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("ALTER TABLE record DROP CONSTRAINT record_action")
        op.execute(f"ALTER TABLE record ADD CONSTRAINT record_action CHECK (action IN {_ACTIONS})")
        return
    op.execute("DROP TRIGGER record_no_update")
    op.execute("DROP TRIGGER record_no_delete")
    op.execute("ALTER TABLE record RENAME TO record_schema_2")
    op.execute(
        "CREATE TABLE record ("
        "id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, user TEXT NOT NULL, "
        "workstation TEXT NOT NULL, action TEXT NOT NULL, label TEXT NOT NULL, product TEXT NOT NULL, "
        "indication TEXT, inputs_json TEXT NOT NULL, results_json TEXT NOT NULL, "
        "overrides_json TEXT NOT NULL, formulary_revision TEXT NOT NULL, app_version TEXT NOT NULL, "
        "uid TEXT, formulary_revision_id INTEGER, login TEXT, "
        f"CONSTRAINT record_action CHECK (action IN {_ACTIONS}))"
    )
    op.execute(f"INSERT INTO record ({_COLUMNS}) SELECT {_COLUMNS} FROM record_schema_2")
    op.execute("DROP TABLE record_schema_2")
    op.execute("CREATE INDEX record_time ON record (recorded_at)")
    op.execute("CREATE UNIQUE INDEX record_uid ON record (uid)")
    op.execute(
        "CREATE TRIGGER record_no_update BEFORE UPDATE ON record "
        "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER record_no_delete BEFORE DELETE ON record "
        "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
    )


def downgrade() -> None:
    raise NotImplementedError("the history is append-only: there is no way back")
