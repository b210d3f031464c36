"""The store's tables as SQLAlchemy Core objects, the one description both engines query.

The migrations in ``store/migrations/versions`` create these tables; this module only
describes the newest schema for queries (a migration never imports it, so old steps stay
what they were when they shipped).
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text

metadata = MetaData()

#: One saved, printed or exported plan: append-only on every engine (triggers and privileges).
record = Table(
    "record",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recorded_at", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("workstation", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("product", Text, nullable=False),
    Column("indication", Text),
    Column("inputs_json", Text, nullable=False),
    Column("results_json", Text, nullable=False),
    Column("overrides_json", Text, nullable=False),
    Column("formulary_revision", Text, nullable=False),
    Column("app_version", Text, nullable=False),
    # schema 2
    Column("uid", Text),  # made by the workstation, so a record re-sent after an outage is stored once
    Column("formulary_revision_id", Integer),  # the database's formulary revision the plan used
    Column("login", Text),  # the database login (PostgreSQL: set by the server, not the program)
)

#: A published site formulary: the TOML text exactly as validated, immutable.
formulary_revision = Table(
    "formulary_revision",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("published_at", Text, nullable=False),
    Column("published_by", Text, nullable=False),
    Column("login", Text),
    Column("revision", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("app_version", Text, nullable=False),
)

#: Embedded store only: records made while the clinic's server could not be reached.
outbox = Table(
    "outbox",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("server", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("queued_at", Text, nullable=False),
)

#: Embedded store only: the last formulary revision read from each server, for planning offline.
formulary_cache = Table(
    "formulary_cache",
    metadata,
    Column("server", Text, primary_key=True),
    Column("revision_id", Integer, nullable=False),
    Column("revision", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("fetched_at", Text, nullable=False),
)
