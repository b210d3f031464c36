"""One store, two engines: the workstation's embedded SQLite file or the clinic's PostgreSQL.

Both are reached through SQLAlchemy Core (psycopg 3 for PostgreSQL) and versioned with the same
Alembic migrations (``store/migrations``), so no query is written twice. This module is imported
only when a record is first written or read, so neither the window's cold start nor a plain
``plan`` run pays for SQLAlchemy.

* SQLite: WAL, a 30 s busy timeout, every write in ``BEGIN IMMEDIATE``; the schema is migrated on
  first open by whichever process gets the write lock first (the others wait, then find it
  current). ``PRAGMA user_version`` mirrors the Alembic revision, so a program older than this
  one (which knows only ``user_version`` 1) refuses the file instead of writing to it.
* PostgreSQL: the program never changes the schema; ``db init`` (run by the clinic's DBA) does,
  and creates the two group roles. Append-only is enforced by the server for every role:
  the roles hold only SELECT and INSERT, and triggers refuse UPDATE, DELETE and TRUNCATE even for
  the tables' owner.

Errors reach people as one line (:class:`StoreError`); a file that is not a usable history
database is left exactly as it was, for inspection.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from ivig_desktop.store import schema

#: The Alembic revision this program reads and writes (tests check it is the scripts' head).
HEAD = "0003"
#: ``PRAGMA user_version`` of an SQLite store at HEAD (schema 1 was the pre-Alembic history).
SCHEMA_VERSION = 3
ROLES = ("ivig_pharmacist", "ivig_nurse")
#: Columns of the schema-1 ``record`` table, checked before a schema-1 file is migrated.
_SCHEMA_1_COLUMNS = [
    "id",
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
]
_MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_WAIT_S = 30.0


class StoreError(RuntimeError):
    """A store that cannot be used, in one line naming it and the way out."""


class UnreachableError(StoreError):
    """The clinic's server cannot be reached now; a record waits in the embedded store."""


class PermissionRefusedError(StoreError):
    """The database login lacks the role the action needs (message starts "permission: ")."""


@dataclass(frozen=True, slots=True)
class FormularyRevision:
    """A published formulary: ``content`` is the TOML text exactly as it was validated."""

    id: int
    published_at: str
    published_by: str
    login: str | None
    revision: str
    sha256: str
    content: str


def parse_url(text: str) -> URL:
    """A database URL as typed (``postgresql://…`` or ``sqlite:///path``), checked."""
    text = text.strip()
    if not text:
        raise StoreError("database: the URL is empty (postgresql://user@host/db or sqlite:///path)")
    try:
        url = make_url(text)
    except exc.ArgumentError:
        raise StoreError(
            f"database: '{text}' is not a database URL (postgresql://user@host/db or sqlite:///path)"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError("database: an SQLite URL needs a file (sqlite:///path/to/history.sqlite3)")
        return url.set(drivername="sqlite")
    raise StoreError(f"database: '{backend}' is not supported; use postgresql:// or sqlite:///")


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite", database=str(path))


_ENGINES: dict[str, Engine] = {}


def _engine(url: URL) -> Engine:
    key = url.render_as_string(hide_password=False)
    engine = _ENGINES.get(key)
    if engine is not None:
        return engine
    if url.get_backend_name() == "sqlite":
        # A fresh connection per use, as sqlite3 users expect: a file replaced or removed between
        # two uses is seen as it is now, and no handle outlives its work.
        engine = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": _LOCK_WAIT_S})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, begins
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(_LOCK_WAIT_S * 1000)}")
            dbapi_connection.execute("PRAGMA synchronous = FULL")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Writers take the write lock up front: no deadlock between two readers upgrading.
            immediate = conn.get_execution_options().get("immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    else:
        query = dict(url.query)
        connect_args: dict[str, Any] = {"application_name": "ivig_desktop"}
        if "connect_timeout" not in query:
            connect_args["connect_timeout"] = 5
        engine = sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    _ENGINES[key] = engine
    return engine


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


class Store:
    """The history, formulary revisions and (embedded only) outbox of one database."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.sqlite = url.get_backend_name() == "sqlite"
        self.path = Path(url.database) if self.sqlite and url.database else None
        #: How people see this store: a file path, or the URL without its password.
        shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
        self.name = str(self.path) if self.path else shown
        self._ready = False

    # -- connections and errors ----------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        return _engine(self.url)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except exc.DBAPIError as error:
            raise self._translate(error) from error
        except OSError as error:
            raise StoreError(f"history database {self.name} cannot be used ({error})") from error

    def _translate(self, error: exc.DBAPIError) -> StoreError:
        orig = error.orig if error.orig is not None else error
        line = _first_line(orig)
        if self.sqlite:
            return StoreError(
                f"history database {self.name} cannot be used ({line}); it is left untouched for inspection"
            )
        state = getattr(orig, "sqlstate", None)
        if isinstance(error, exc.OperationalError) or error.connection_invalidated:
            return UnreachableError(f"database {self.name} cannot be reached ({line})")
        if state == "42501":
            return PermissionRefusedError(f"permission: {line}")
        if state == "42P01":
            return StoreError(
                f"database {self.name} has no ivig_desktop schema ({line}); "
                f"the clinic's DBA runs: ivig-desktop db init --database URL"
            )
        return StoreError(f"database {self.name}: {line}")

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        self.ready()
        with self._errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        self.ready()
        with self._errors(), self.engine.connect() as conn:
            conn.execution_options(immediate=True)
            with conn.begin():
                yield conn

    # -- schema --------------------------------------------------------------------------------
    def ready(self) -> None:
        """Check (and on SQLite, migrate) the schema once per Store."""
        if self._ready:
            return
        if self.sqlite:
            self._prepare_sqlite()
        else:
            self._check_server_schema()
        self._ready = True

    def _check_server_schema(self) -> None:
        with self._errors(), self.engine.connect() as conn:
            try:
                version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            except exc.ProgrammingError as error:
                if getattr(error.orig, "sqlstate", None) == "42P01":
                    raise StoreError(
                        f"database {self.name} has no ivig_desktop schema; "
                        "the clinic's DBA runs: ivig-desktop db init --database URL"
                    ) from None
                raise
        if version != HEAD:
            raise StoreError(
                f"database {self.name} has schema {version}; this program needs {HEAD}: "
                "the clinic's DBA runs: ivig-desktop db init --database URL (with this version)"
            )

    def _prepare_sqlite(self) -> None:
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"history database {self.path}: its folder cannot be made ({error.strerror or error})"
            ) from error
        deadline = time.monotonic() + _LOCK_WAIT_S
        while True:
            try:
                if self._sqlite_current():
                    return
                self._migrate_sqlite()
                return
            except (sqlite3.OperationalError, exc.OperationalError) as error:
                orig = getattr(error, "orig", error)
                # Switching a fresh file to WAL needs a moment alone with it, and SQLite does not
                # wait for that: try again rather than lose the record ("database is locked").
                if ("locked" in str(orig) or "busy" in str(orig)) and time.monotonic() < deadline:
                    time.sleep(random.uniform(0.01, 0.08))
                    continue
                raise self._sqlite_unusable(orig) from error
            except sqlite3.DatabaseError as error:
                raise self._sqlite_unusable(error) from error
            except exc.DBAPIError as error:
                raise self._sqlite_unusable(error.orig or error) from error

    def _sqlite_unusable(self, error: BaseException) -> StoreError:
        return StoreError(
            f"history database {self.path} is not usable ({_first_line(error)}); "
            "it is left untouched for inspection"
        )

    def _sqlite_current(self) -> bool:
        """True when the file is at HEAD; checks a file before anything is written to it."""
        raw = sqlite3.connect(self.path, timeout=_LOCK_WAIT_S, isolation_level=None)
        try:
            raw.execute(f"PRAGMA busy_timeout = {int(_LOCK_WAIT_S * 1000)}")
            # One read transaction: the version and the tables are seen as one snapshot, not split
            # by another process's migration committing between the two reads.
            raw.execute("BEGIN")
            try:
                version = raw.execute("PRAGMA user_version").fetchone()[0]
                tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                columns = [r[1] for r in raw.execute("PRAGMA table_info(record)")]
            finally:
                if raw.in_transaction:
                    raw.execute("COMMIT")
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"history database {self.path} has schema {version}, newer than this version "
                    f"({SCHEMA_VERSION}); it is left untouched"
                )
            foreign = ""
            if version == SCHEMA_VERSION and not {"record", "alembic_version"} <= tables:
                foreign = f"schema {version} without its tables"
            elif version == 1:
                if columns != _SCHEMA_1_COLUMNS:
                    foreign = f"schema 1 with a record table of columns {columns or 'none'}"
            elif version == 0 and tables:
                foreign = f"tables {', '.join(sorted(tables))}"
            if foreign:
                raise StoreError(
                    f"history database {self.path} is not an ivig_desktop history ({foreign}); "
                    "it is left untouched for inspection"
                )
            wal = raw.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
            if not wal or version != SCHEMA_VERSION:
                # About to write (WAL switch, migration): a damaged file is refused first, so it is
                # kept exactly as it was found. Once per file in practice (new or migrated).
                problems = [r[0] for r in raw.execute("PRAGMA quick_check(3)")]
                if problems != ["ok"]:
                    raise StoreError(
                        f"history database {self.path} is damaged ({problems[0]}); "
                        "it is left untouched for inspection"
                    )
            if not wal:
                mode = raw.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise StoreError(f"history database {self.path} could not switch to WAL ({mode})")
            return version == SCHEMA_VERSION
        finally:
            raw.close()

    def _migrate_sqlite(self) -> None:
        with self.engine.connect() as conn:
            conn.execution_options(immediate=True)
            with conn.begin():
                version = conn.exec_driver_sql("PRAGMA user_version").scalar()
                if version == SCHEMA_VERSION:
                    return  # another process migrated while this one waited for the lock
                _alembic(conn, stamp="0001" if version == 1 else None)
                conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def init(self) -> list[str]:
        """``db init``: create or migrate the schema; on PostgreSQL also the roles and grants."""
        if self.sqlite:
            self.ready()
            return [f"{self.name}: schema {HEAD} (SQLite, no roles)"]
        with self._errors(), self.engine.connect() as conn, conn.begin():
            # Two DBAs (or two installers) at once: the second waits, then finds nothing to do.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7316516)"))
            _alembic(conn, stamp=None)
            conn.execute(sa.text(_ROLES_SQL))
            for statement in _GRANTS:
                conn.execute(sa.text(statement))
        self._ready = False
        self.ready()
        return [f"{self.name}: schema {HEAD}", "roles: " + ", ".join(ROLES)]

    # -- history -------------------------------------------------------------------------------
    def insert_record(self, row: dict[str, Any]) -> int:
        """Store one record; a record whose ``uid`` is already there is not stored again."""
        r = schema.record
        if self.sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        stmt = insert(r).values(**row).on_conflict_do_nothing(index_elements=["uid"]).returning(r.c.id)
        with self._write() as conn:
            rid = conn.execute(stmt).scalar()
            if rid is None:
                rid = conn.execute(sa.select(r.c.id).where(r.c.uid == row["uid"])).scalar_one()
        return int(rid)

    def search(self, text: str = "", limit: int = 200) -> list[sa.Row]:
        r = schema.record.c
        query = (
            sa.select(
                r.id,
                r.recorded_at,
                r.user,
                r.workstation,
                r.action,
                r.label,
                r.product,
                r.indication,
                r.overrides_json,
                r.formulary_revision,
                r.uid,
                r.formulary_revision_id,
                r.login,
            )
            .order_by(r.id.desc())
            .limit(limit)
        )
        needle = text.strip()
        if needle:
            like = f"%{needle}%"
            query = query.where(
                sa.or_(
                    r.label.ilike(like),
                    r.product.ilike(like),
                    sa.func.coalesce(r.indication, "").ilike(like),
                    r.user.ilike(like),
                    r.recorded_at.ilike(like),
                    r.overrides_json.ilike(like),
                    sa.func.coalesce(r.login, "").ilike(like),
                )
            )
        with self._read() as conn:
            return list(conn.execute(query))

    def record_column(self, entry_id: int, column: str) -> str | None:
        c = schema.record.c
        with self._read() as conn:
            return conn.execute(sa.select(c[column]).where(c.id == entry_id)).scalar()

    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(schema.record)).scalar_one())

    # -- formulary revisions -------------------------------------------------------------------
    def publish(self, content: str, revision: str, published_by: str, when: str, version: str) -> int:
        f = schema.formulary_revision
        row = {
            "published_at": when,
            "published_by": published_by,
            "revision": revision,
            "sha256": hashlib.sha256(content.encode("utf-8")).hexdigest(),
            "content": content,
            "app_version": version,
        }
        with self._write() as conn:
            return int(conn.execute(sa.insert(f).values(**row).returning(f.c.id)).scalar_one())

    def current_formulary(self) -> FormularyRevision | None:
        f = schema.formulary_revision.c
        query = (
            sa.select(f.id, f.published_at, f.published_by, f.login, f.revision, f.sha256, f.content)
            .order_by(f.id.desc())
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return FormularyRevision(*row) if row is not None else None

    # -- embedded only: the outbox and the formulary cache ------------------------------------
    def queue(self, server: str, uid: str, payload: str, when: str) -> None:
        from sqlalchemy.dialects.sqlite import insert

        stmt = insert(schema.outbox).values(uid=uid, server=server, payload=payload, queued_at=when)
        with self._write() as conn:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["uid"]))

    def queued(self, server: str) -> list[tuple[str, str]]:
        """(uid, payload) waiting for ``server``, oldest first; an absent file has none."""
        if self.path is not None and not self.path.exists():
            return []
        o = schema.outbox.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(o.uid, o.payload).where(o.server == server).order_by(o.queued_at, o.uid)
            )
            return [(r.uid, r.payload) for r in rows]

    def unqueue(self, uid: str) -> None:
        with self._write() as conn:
            conn.execute(sa.delete(schema.outbox).where(schema.outbox.c.uid == uid))

    def cache_formulary(self, server: str, rev: FormularyRevision, when: str) -> None:
        from sqlalchemy.dialects.sqlite import insert

        c = schema.formulary_cache
        values = {"server": server, "revision_id": rev.id, "revision": rev.revision, "content": rev.content}
        stmt = insert(c).values(**values, fetched_at=when)
        stmt = stmt.on_conflict_do_update(index_elements=["server"], set_={**values, "fetched_at": when})
        with self._write() as conn:
            conn.execute(stmt)

    def cached_formulary(self, server: str) -> tuple[FormularyRevision, str] | None:
        """The revision last read from ``server`` and when, or None."""
        if self.path is not None and not self.path.exists():
            return None
        c = schema.formulary_cache.c
        with self._read() as conn:
            row = conn.execute(
                sa.select(c.revision_id, c.revision, c.content, c.fetched_at).where(c.server == server)
            ).first()
        if row is None:
            return None
        sha = hashlib.sha256(row.content.encode("utf-8")).hexdigest()
        rev = FormularyRevision(row.revision_id, "", "", None, row.revision, sha, row.content)
        return rev, row.fetched_at


def _alembic(conn: Connection, stamp: str | None) -> None:
    """Upgrade to HEAD inside the caller's transaction (imported here: only a migration pays)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    if stamp is not None:
        command.stamp(cfg, stamp)
    command.upgrade(cfg, "head")


_ROLES_SQL = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ivig_pharmacist') THEN
        CREATE ROLE ivig_pharmacist NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ivig_nurse') THEN
        CREATE ROLE ivig_nurse NOLOGIN;
    END IF;
END $$
"""
#: Every statement is idempotent; UPDATE, DELETE and TRUNCATE are revoked again in case a DBA
#: granted them by hand (the triggers refuse them anyway).
_GRANTS = (
    "REVOKE ALL ON record, formulary_revision, alembic_version FROM PUBLIC",
    "REVOKE UPDATE, DELETE, TRUNCATE ON record, formulary_revision, alembic_version "
    "FROM ivig_pharmacist, ivig_nurse",
    "REVOKE INSERT ON formulary_revision FROM ivig_nurse",
    "GRANT USAGE ON SCHEMA public TO ivig_pharmacist, ivig_nurse",
    "GRANT SELECT, INSERT ON record TO ivig_pharmacist, ivig_nurse",
    "GRANT SELECT ON formulary_revision, alembic_version TO ivig_pharmacist, ivig_nurse",
    "GRANT INSERT ON formulary_revision TO ivig_pharmacist",
    "GRANT USAGE ON SEQUENCE record_id_seq TO ivig_pharmacist, ivig_nurse",
    "GRANT USAGE ON SEQUENCE formulary_revision_id_seq TO ivig_pharmacist",
)
