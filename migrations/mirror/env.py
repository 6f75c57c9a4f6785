"""Alembic environment for the local mirror. The engine comes from the caller (config
attribute "connection"), so the key never appears in a URL on disk."""

from alembic import context

from frontdesk.store import models  # noqa: F401  (fills the metadata)
from frontdesk.store.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
