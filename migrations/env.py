"""Alembic's environment for our tables (bot/migrations.py runs it; see docs/deploy.md).

The connection comes from `upgrade()` (config.attributes["connection"]) or, for `alembic` on the
command line, from DATABASE_URL. Rasa's `events` table and anything else not in our metadata is
left alone, also by `--autogenerate`.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from bot.db import Base, import_models, make_engine
from bot.migrations import include_object

import_models()
target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from bot.config import load_settings

        with make_engine(load_settings().database_url).connect() as connection:
            _migrate(connection)
    else:
        _migrate(connection)


def _migrate(connection: Any) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object,
                      render_as_batch=True, compare_type=True)  # fmt: skip
    with context.begin_transaction():
        context.run_migrations()


run()
