"""Alembic environment: the program passes its own open connection, inside its own transaction.

The caller (``store.database``) holds the transaction, so a migration and the version stamp
commit together, and on SQLite the whole step runs under ``BEGIN IMMEDIATE`` (one migrating
process at a time; the others wait, then find the schema current).
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
