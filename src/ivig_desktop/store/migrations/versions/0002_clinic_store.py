"""Schema 2: a record id made by the workstation (stored once however often it is sent), the
formulary revision a plan used, the database login, published formulary revisions, and (SQLite
only) the outbox and formulary cache a workstation keeps while its clinic server is away.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("record", sa.Column("uid", sa.Text))
    op.add_column("record", sa.Column("formulary_revision_id", sa.Integer))
    op.add_column("record", sa.Column("login", sa.Text))
    # Records from schema 1 get an id here; the append-only guard is lifted for this one step.
    if sqlite:
        op.execute("DROP TRIGGER record_no_update")
        op.execute("UPDATE record SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL")
        op.execute(
            "CREATE TRIGGER record_no_update BEFORE UPDATE ON record "
            "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
        )
    else:
        op.execute("ALTER TABLE record DISABLE TRIGGER record_no_update")
        op.execute("UPDATE record SET uid = replace(gen_random_uuid()::text, '-', '') WHERE uid IS NULL")
        op.execute("ALTER TABLE record ENABLE TRIGGER record_no_update")
    op.create_index("record_uid", "record", ["uid"], unique=True)

    op.create_table(
        "formulary_revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("published_at", sa.Text, nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("login", sa.Text),
        sa.Column("revision", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("app_version", sa.Text, nullable=False),
    )
    if sqlite:
        for name, op_name in (("no_update", "UPDATE"), ("no_delete", "DELETE")):
            op.execute(
                f"CREATE TRIGGER formulary_revision_{name} BEFORE {op_name} ON formulary_revision "
                "BEGIN SELECT RAISE(ABORT, 'formulary revisions are append-only'); END"
            )
        op.create_table(
            "outbox",
            sa.Column("uid", sa.Text, primary_key=True),
            sa.Column("server", sa.Text, nullable=False),
            sa.Column("payload", sa.Text, nullable=False),
            sa.Column("queued_at", sa.Text, nullable=False),
        )
        op.create_table(
            "formulary_cache",
            sa.Column("server", sa.Text, primary_key=True),
            sa.Column("revision_id", sa.Integer, nullable=False),
            sa.Column("revision", sa.Text, nullable=False),
            sa.Column("content", sa.Text, nullable=False),
            sa.Column("fetched_at", sa.Text, nullable=False),
        )
    else:
        op.execute(
            "CREATE TRIGGER formulary_revision_no_change BEFORE UPDATE OR DELETE ON formulary_revision "
            "FOR EACH ROW EXECUTE FUNCTION ivig_append_only()"
        )
        op.execute(
            "CREATE TRIGGER formulary_revision_no_truncate BEFORE TRUNCATE ON formulary_revision "
            "FOR EACH STATEMENT EXECUTE FUNCTION ivig_append_only()"
        )
        # Who did it is the server's word, not the workstation's: the login is set on insert.
        op.execute(
            "CREATE FUNCTION ivig_stamp_login() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN NEW.login := session_user; RETURN NEW; END $$"
        )
        for table in ("record", "formulary_revision"):
            op.execute(
                f"CREATE TRIGGER {table}_login BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ivig_stamp_login()"
            )


def downgrade() -> None:
    raise NotImplementedError("the history is append-only: there is no way back")
