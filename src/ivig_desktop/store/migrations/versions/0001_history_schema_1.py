"""Schema 1: the workstation history as the SQLite store had it (``PRAGMA user_version`` 1).

An existing schema-1 SQLite file is stamped with this revision, not re-created.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("recorded_at", sa.Text, nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("workstation", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("indication", sa.Text),
        sa.Column("inputs_json", sa.Text, nullable=False),
        sa.Column("results_json", sa.Text, nullable=False),
        sa.Column("overrides_json", sa.Text, nullable=False),
        sa.Column("formulary_revision", sa.Text, nullable=False),
        sa.Column("app_version", sa.Text, nullable=False),
        sa.CheckConstraint("action IN ('save', 'print', 'export-pdf')", name="record_action"),
    )
    op.create_index("record_time", "record", ["recorded_at"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER record_no_update BEFORE UPDATE ON record "
            "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER record_no_delete BEFORE DELETE ON record "
            "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
        )
    else:
        op.execute(
            "CREATE FUNCTION ivig_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only (% refused)', "
            "CASE WHEN TG_TABLE_NAME = 'record' THEN 'history' ELSE TG_TABLE_NAME END, TG_OP; END $$"
        )
        op.execute(
            "CREATE TRIGGER record_no_update BEFORE UPDATE ON record "
            "FOR EACH ROW EXECUTE FUNCTION ivig_append_only()"
        )
        op.execute(
            "CREATE TRIGGER record_no_delete BEFORE DELETE ON record "
            "FOR EACH ROW EXECUTE FUNCTION ivig_append_only()"
        )
        op.execute(
            "CREATE TRIGGER record_no_truncate BEFORE TRUNCATE ON record "
            "FOR EACH STATEMENT EXECUTE FUNCTION ivig_append_only()"
        )


def downgrade() -> None:
    raise NotImplementedError("the history is append-only: there is no way back")
