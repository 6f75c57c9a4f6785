"""Alembic environment for the server's PostgreSQL. The connection comes from the caller
(config attribute "connection"); the target is the shared store schema plus the server-only
tables."""

from alembic import context

from frontdesk.server.migrate import target_metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata(), compare_type=True)
with context.begin_transaction():
    context.run_migrations()
