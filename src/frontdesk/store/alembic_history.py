"""An Alembic configuration over one of the project's migration histories (the mirror's or
the server's), bound to a connection the caller already holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources.abc import Traversable

from alembic.config import Config

from frontdesk.project_paths import directory


@contextmanager
def alembic_config(history: Traversable, connection: object) -> Iterator[Config]:
    """The history as a directory on disk (an installed copy may hold it zipped) for as long
    as the block runs; `env.py` takes the connection from the config's attributes."""
    with directory(history) as folder:
        config = Config()
        config.set_main_option("script_location", str(folder))
        config.attributes["connection"] = connection
        yield config
