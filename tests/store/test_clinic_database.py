"""The clinic store (issue 16) on a real PostgreSQL server started by the test session, and the
same store on SQLite: concurrency, roles, append-only, migrations, formulary revisions, outage."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from ivig_desktop.cli import main
from ivig_desktop.store.database import HEAD
from ivig_desktop.store.history import History
from tests.helpers import CLI_PLAN, plan

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "resources" / "formulary.toml"
ERROR = "ivig-desktop: error: "


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _as(url: str, login: str) -> str:
    return make_url(url).set(username=login).render_as_string(hide_password=False)


def _site_formulary(tmp_path: Path, revision: str = "site 2027-01") -> Path:
    text = BUNDLED.read_text(encoding="utf-8").replace(
        'revision = "2026-12-01 label audit"', f'revision = "{revision}"', 1
    )
    assert f'revision = "{revision}"' in text
    path = tmp_path / f"{revision.replace(' ', '-')}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def clinic(postgres, pg_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A database after `db init`, with a nurse login (alice) and a pharmacist login (bob)."""
    code, out, err = _run(capsys, "db", "init", "--database", pg_url)
    assert (code, err) == (0, ""), err
    assert "roles: ivig_pharmacist, ivig_nurse" in out
    for login, role in (("alice", "ivig_nurse"), ("bob", "ivig_pharmacist")):
        if not postgres.sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{login}'"):
            postgres.sql(f"CREATE ROLE {login} LOGIN IN ROLE {role}")
    return pg_url


def _db(url: str) -> str:
    return make_url(url).database or ""


# -- schema, roles, db init ------------------------------------------------------------------------
def test_head_is_the_newest_migration_script() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ivig_desktop.store import database

    cfg = Config()
    cfg.set_main_option("script_location", str(database._MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_heads() == [HEAD]


def test_db_init_twice_is_harmless_and_keeps_every_record(
    postgres, clinic: str, capsys: pytest.CaptureFixture[str]
) -> None:
    h = History(database=clinic)
    first = h.record(plan(), "save", "one")
    code, out, err = _run(capsys, "db", "init", "--database", clinic)
    assert (code, err) == (0, ""), err
    assert f"schema {HEAD}" in out
    assert History(database=clinic).record(plan(), "print", "two") == first + 1
    assert [e.label for e in History(database=clinic).search()] == ["two", "one"]
    db = _db(clinic)
    assert postgres.sql("SELECT version_num FROM alembic_version", db) == [(HEAD,)]
    privileges = {
        (role, table, priv): postgres.sql(f"SELECT has_table_privilege('{role}', '{table}', '{priv}')", db)[
            0
        ][0]
        for role in ("ivig_nurse", "ivig_pharmacist")
        for table in ("record", "formulary_revision")
        for priv in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
    }
    allowed = {k for k, v in privileges.items() if v}
    assert allowed == {
        ("ivig_nurse", "record", "SELECT"),
        ("ivig_nurse", "record", "INSERT"),
        ("ivig_nurse", "formulary_revision", "SELECT"),
        ("ivig_pharmacist", "record", "SELECT"),
        ("ivig_pharmacist", "record", "INSERT"),
        ("ivig_pharmacist", "formulary_revision", "SELECT"),
        ("ivig_pharmacist", "formulary_revision", "INSERT"),
    }


def test_db_init_needs_a_database_and_names_a_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "db", "init")
    assert (code, out) == (2, "") and err.startswith(ERROR + "database: no database given"), err
    code, out, err = _run(capsys, "db", "init", "--database", "mysql://x@y/z")
    assert (code, out) == (2, "") and "'mysql' is not supported" in err and err.count("\n") == 1


def test_a_program_refuses_a_server_database_without_its_schema(
    pg_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(capsys, "history", "--database", pg_url)
    assert (code, out) == (2, "")
    assert "has no ivig_desktop schema" in err and "db init" in err and err.count("\n") == 1


# -- roles and append-only -------------------------------------------------------------------------
def _refused(url: str, statement: str, error: type[Exception], match: str) -> None:
    with psycopg.connect(url, autocommit=True) as con, pytest.raises(error, match=match):
        con.execute(statement)


_CHANGES = (
    "DELETE FROM record",
    "DELETE FROM record WHERE id = 1",
    "UPDATE record SET label = 'changed'",
    "UPDATE record SET overrides_json = '[]' WHERE id = 1",
    "TRUNCATE record",
    "DELETE FROM formulary_revision",
    "UPDATE formulary_revision SET content = ''",
    "TRUNCATE formulary_revision",
)


def test_a_nurse_cannot_publish_or_delete_or_change_anything(
    postgres, clinic: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    nurse = _as(clinic, "alice")
    code, _, err = _run(capsys, "formulary", "publish", str(_site_formulary(tmp_path)), "--database", clinic)
    assert code == 0, err  # the superuser publishes one revision, so there is a row to try to change
    assert History(database=nurse).record(plan(), "save", "by a nurse") == 1  # a nurse records
    code, out, err = _run(
        capsys, "formulary", "publish", str(_site_formulary(tmp_path, "nurse")), "--database", nurse
    )
    assert (code, out) == (2, "")
    assert err.startswith(ERROR + "permission: ") and "formulary_revision" in err and err.count("\n") == 1
    url = nurse
    for statement in _CHANGES:
        _refused(url, statement, psycopg.errors.InsufficientPrivilege, "permission denied")
    _refused(
        url,
        "INSERT INTO formulary_revision (published_at, published_by, revision, sha256, content, "
        "app_version) VALUES ('x', 'x', 'x', 'x', 'x', 'x')",
        psycopg.errors.InsufficientPrivilege,
        "permission denied",
    )
    db = _db(clinic)
    assert postgres.sql("SELECT count(*) FROM record", db) == [(1,)]
    assert postgres.sql("SELECT count(*), min(revision) FROM formulary_revision", db) == [(1, "site 2027-01")]
    # The server, not the program, says who recorded it.
    assert postgres.sql("SELECT login FROM record", db) == [("alice",)]


def test_a_pharmacist_can_publish_but_cannot_delete_or_change_history(
    postgres, clinic: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pharmacist = _as(clinic, "bob")
    History(database=pharmacist).record(plan(), "save", "kept")
    site = _site_formulary(tmp_path)
    code, out, err = _run(capsys, "formulary", "publish", str(site), "--database", pharmacist)
    assert (code, err) == (0, ""), err
    assert out.startswith(f"Published {site} as formulary revision 1 (site 2027-01)")
    for statement in _CHANGES:
        _refused(pharmacist, statement, psycopg.errors.InsufficientPrivilege, "permission denied")
    db = _db(clinic)
    assert postgres.sql("SELECT label, login FROM record", db) == [("kept", "bob")]
    assert postgres.sql("SELECT login, published_by FROM formulary_revision", db)[0][0] == "bob"


def test_not_even_the_tables_owner_can_change_or_delete_a_record(
    postgres, clinic: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    History(database=clinic).record(plan(), "save", "kept")
    assert _run(capsys, "formulary", "publish", str(_site_formulary(tmp_path)), "--database", clinic)[0] == 0
    for statement in _CHANGES:
        _refused(clinic, statement, psycopg.errors.RaiseException, "append-only")
    assert postgres.sql("SELECT label FROM record", _db(clinic)) == [("kept",)]


# -- several writers at once ------------------------------------------------------------------------
_WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from ivig_desktop.store.history import History
from tests.helpers import plan
h = History(database={url!r})
p = plan()
go = Path({go!r})
while not go.exists():
    time.sleep(0.005)
for i in range(5):
    print(h.record(p, "save", f"{{sys.argv[1]}}-{{i}}"), flush=True)
"""


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
def test_six_processes_saving_five_plans_each_record_exactly_thirty_rows(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if engine == "postgresql":
        url = request.getfixturevalue("clinic")
    else:
        url = f"sqlite:///{tmp_path / 'fresh' / 'history.sqlite3'}"  # fresh: all six migrate at once
    go = tmp_path / "go"
    script = textwrap.dedent(_WRITER.format(root=str(ROOT), url=url, go=str(go)))
    names = [f"w{i}" for i in range(6)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, n], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for n in names
    ]
    try:
        go.touch()
        outs = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in outs]
    ids = [int(line) for out, _ in outs for line in out.split()]
    assert sorted(ids) == list(range(1, 31))
    h = History(database=url)
    assert h.count() == 30
    entries = h.search(limit=100)
    assert {e.label for e in entries} == {f"{n}-{i}" for n in names for i in range(5)}
    assert len({e.uid for e in entries}) == 30


# -- formulary revisions ---------------------------------------------------------------------------
def test_plans_use_the_current_revision_and_record_its_id(
    clinic: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pharmacist, nurse = _as(clinic, "bob"), _as(clinic, "alice")
    code, out, _ = _run(capsys, "formulary", "show", "--database", nurse)
    assert code == 0 and out.startswith("No formulary published")
    for revision in ("site 2027-01", "site 2027-02"):
        assert (
            _run(
                capsys,
                "formulary",
                "publish",
                str(_site_formulary(tmp_path, revision)),
                "--database",
                pharmacist,
            )[0]
            == 0
        )
    code, out, err = _run(capsys, "formulary", "show", "--database", nurse)
    assert (code, err) == (0, "")
    assert out.startswith("Formulary revision 2: site 2027-02 (database revision 2)\n")
    assert "octagam-10" in out and "by " in out and "login bob" in out
    code, out, _ = _run(capsys, "formulary", "show", "--toml", "--database", nurse)
    assert out == _site_formulary(tmp_path, "site 2027-02").read_text(encoding="utf-8")

    saved = tmp_path / "p.ivig"
    code, out, err = _run(capsys, *CLI_PLAN, "--save", str(saved), "--database", nurse)
    assert (code, err) == (0, ""), err
    assert "site 2027-02 (database revision 2)" in out
    assert json.loads(saved.read_text(encoding="utf-8"))["formulary_revision"] == (
        "site 2027-02 (database revision 2)"
    )
    # --formulary wins over the database, and the record says no database revision was used.
    code, out, err = _run(
        capsys, *CLI_PLAN, "--save", str(saved), "--formulary", str(BUNDLED), "--database", nurse
    )
    assert code == 0, err
    code, out, err = _run(capsys, "history", "--format", "json", "--database", nurse)
    records = json.loads(out)["records"]
    assert [(r["formulary_revision"], r["formulary_revision_id"]) for r in records] == [
        ("2026-12-01 label audit", None),
        ("site 2027-02 (database revision 2)", 2),
    ]
    assert [r["login"] for r in records] == ["alice", "alice"]


def test_a_formulary_that_fails_the_checks_is_not_published(
    postgres, clinic: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        _site_formulary(tmp_path).read_text(encoding="utf-8").replace('id = "privigen"', "id = 7", 1)
    )
    code, out, err = _run(capsys, "formulary", "publish", str(bad), "--database", _as(clinic, "bob"))
    assert (code, out) == (2, "") and str(bad) in err and err.count("\n") == 1
    assert postgres.sql("SELECT count(*) FROM formulary_revision", _db(clinic)) == [(0,)]


# -- an outage -------------------------------------------------------------------------------------
def test_a_plan_saved_while_the_server_is_down_is_recorded_exactly_once_after_it_is_back(
    postgres, clinic: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    nurse = _as(clinic, "alice")
    assert (
        _run(
            capsys, "formulary", "publish", str(_site_formulary(tmp_path)), "--database", _as(clinic, "bob")
        )[0]
        == 0
    )
    code, out, err = _run(capsys, *CLI_PLAN, "--database", nurse)  # online: the revision is kept here
    assert code == 0 and "site 2027-01 (database revision 1)" in out
    saved = tmp_path / "down.ivig"
    postgres.stop()
    try:
        code, out, err = _run(capsys, *CLI_PLAN, "--save", str(saved), "--database", nurse)
        assert code == 0, err
        assert saved.exists() and "site 2027-01 (database revision 1)" in out  # planning goes on
        notes = err.splitlines()
        assert len(notes) == 2 and all(n.startswith("ivig-desktop: note: ") for n in notes), err
        assert "cannot be reached" in notes[0] and "revision 1" in notes[0]
        assert "waits on this workstation" in notes[1]
        assert History(database=nurse).waiting() == 1
        code, out, err = _run(capsys, "history", "--database", nurse)
        assert (code, out) == (2, "") and "1 record(s) wait on this workstation" in err
    finally:
        postgres.start()
    h = History(database=nurse)
    entries = h.search()
    assert [(e.action, e.label) for e in entries] == [("save", str(saved.resolve()))]
    assert entries[0].formulary_revision_id == 1
    assert h.waiting() == 0
    # Sent again (the server stored it but the workstation never heard): still one row.
    h._local.queue(
        h._remote.name, entries[0].uid, json.dumps(_row_of(postgres, clinic, entries[0].uid)), "now"
    )
    assert h.waiting() == 1 and h.send_waiting() == 1
    assert h.count() == 1 and h.waiting() == 0
    assert postgres.sql("SELECT count(*) FROM record", _db(clinic)) == [(1,)]


def _row_of(postgres, url: str, uid: str) -> dict:
    cols = [
        "uid",
        "recorded_at",
        "user",
        "workstation",
        "action",
        "label",
        "product",
        "indication",
        "inputs_json",
        "results_json",
        "overrides_json",
        "formulary_revision",
        "app_version",
        "formulary_revision_id",
    ]
    row = postgres.sql(f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)} FROM record", _db(url))[0]
    return dict(zip(cols, row, strict=True))


# -- history command -------------------------------------------------------------------------------
def test_history_command_lists_newest_first_with_limit_in_text_and_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    h = History()
    for i in range(3):
        h.record(plan(), "save", f"/plans/{i}.ivig")
    code, out, err = _run(capsys, "history", "--limit", "2")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"History of {h.path}: 2 record(s), newest first"
    assert "/plans/2.ivig" in lines[1] and "/plans/1.ivig" in lines[2] and len(lines) == 3
    assert "privigen" in lines[1] and "pid" in lines[1] and "save" in lines[1]
    code, out, err = _run(capsys, "history", "--format", "json")
    doc = json.loads(out)
    assert [r["id"] for r in doc["records"]] == [3, 2, 1]
    assert {"who", "workstation"} & set(doc["records"][0]) == {"workstation"}
    assert doc["records"][0]["user"] and doc["records"][0]["recorded_at"]
    for bad in ("0", "-1", "x", "1e3", "100001"):
        code, out, err = _run(capsys, "history", "--limit", bad)
        assert (code, out) == (2, "") and err.startswith(ERROR + "limit: "), err


# -- migrations -------------------------------------------------------------------------------------
#: The schema-1 history exactly as store/history.py created it before Alembic (user_version 1).
_SCHEMA_1 = """
CREATE TABLE record (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    user TEXT NOT NULL,
    workstation TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('save', 'print', 'export-pdf')),
    label TEXT NOT NULL,
    product TEXT NOT NULL,
    indication TEXT,
    inputs_json TEXT NOT NULL,
    results_json TEXT NOT NULL,
    overrides_json TEXT NOT NULL,
    formulary_revision TEXT NOT NULL,
    app_version TEXT NOT NULL
);
CREATE INDEX record_time ON record (recorded_at);
CREATE TRIGGER record_no_update BEFORE UPDATE ON record
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER record_no_delete BEFORE DELETE ON record
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
PRAGMA user_version = 1;
"""


def _schema_1_file(path: Path) -> list[tuple]:
    """A schema-1 file with two records made by the current code's row format."""
    from ivig_desktop.store.history import History as Current

    donor = Current(path.with_name("donor.sqlite3"))
    donor.record(plan(), "save", "old-1")
    donor.record(plan("octagam-10", "itp"), "print", "old-2")
    con = sqlite3.connect(path)
    con.executescript(_SCHEMA_1)
    src = sqlite3.connect(path.with_name("donor.sqlite3"))
    cols = [
        c
        for c in (r[1] for r in src.execute("PRAGMA table_info(record)"))
        if c not in ("uid", "formulary_revision_id", "login")
    ]
    rows = src.execute(f"SELECT {', '.join(cols)} FROM record ORDER BY id").fetchall()
    src.close()
    con.executemany(f"INSERT INTO record ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    con.commit()
    con.close()
    return rows


def test_a_schema_1_history_is_migrated_keeping_every_record(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    old_rows = _schema_1_file(path)
    h = History(path)
    assert h.count() == 2
    assert [e.label for e in h.search()] == ["old-2", "old-1"]
    assert h.inputs(1) == (plan().patient, plan().order)
    assert h.record(plan(), "save", "new") == 3
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone() == (3,)  # 3: the "check" action (issue 14)
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
        uids = [r[0] for r in con.execute("SELECT uid FROM record")]
        assert len(set(uids)) == 3 and all(uids)
        cols = len(old_rows[0])
        assert [r[:cols] for r in con.execute("SELECT * FROM record WHERE id < 3 ORDER BY id")] == old_rows
        for sql in ("UPDATE record SET label = 'x'", "DELETE FROM record"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()


def test_a_schema_1_file_with_a_foreign_record_table_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE record (id INTEGER PRIMARY KEY, note TEXT); PRAGMA user_version = 1;")
    con.close()
    before = path.read_bytes()
    from ivig_desktop.store.history import HistoryError

    with pytest.raises(HistoryError, match=r"not an ivig_desktop history .*left untouched for inspection"):
        History(path).record(plan(), "save")
    assert path.read_bytes() == before


def test_a_server_database_at_the_previous_revision_is_migrated_by_db_init(
    postgres, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from ivig_desktop.store import database

    engine = sa.create_engine(database.parse_url(pg_url))
    try:
        with engine.begin() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(database._MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            conn.execute(
                sa.text(
                    'INSERT INTO record (recorded_at, "user", workstation, action, label, product, '
                    "inputs_json, results_json, overrides_json, formulary_revision, app_version) VALUES "
                    "('2026-01-01T00:00:00', 'u', 'w', 'save', 'legacy', 'privigen', '{}', '{}', '[]', "
                    "'r', '0')"
                )
            )
    finally:
        engine.dispose()
    code, _, err = _run(capsys, "history", "--database", pg_url)
    assert code == 2 and "has schema 0001; this program needs 0003" in err  # 0003: check action (issue 14)
    assert _run(capsys, "db", "init", "--database", pg_url)[0] == 0
    db = _db(pg_url)
    rows = postgres.sql("SELECT label, length(uid) FROM record", db)
    assert rows == [("legacy", 32)]
    assert postgres.sql("SELECT version_num FROM alembic_version", db) == [(HEAD,)]


# -- loaded only when used --------------------------------------------------------------------------
def test_planning_without_a_database_and_opening_the_window_module_load_no_database_library() -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from ivig_desktop.cli import main
        from tests.helpers import CLI_PLAN
        import io, contextlib
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(list(CLI_PLAN)) == 0
        import ivig_desktop.ui.main_window
        loaded = sorted(m for m in ("sqlalchemy", "alembic", "psycopg") if m in sys.modules)
        print(",".join(loaded))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == ""
