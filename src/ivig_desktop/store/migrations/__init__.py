"""Alembic migrations of the store, one history for SQLite and PostgreSQL (see ``versions/``)."""
