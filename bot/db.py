"""The SQLAlchemy engine and sessions, built once at start-up from the settings."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import declarative_base, sessionmaker

Base = declarative_base()
logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # Rasa, actions, web app and worker share the file
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; SQLite gets foreign keys on, WAL, and its folder created."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, future=True, expire_on_commit=False)


def create_tables(engine: Engine) -> None:
    import bot.catalogue.models
    import bot.privacy
    import bot.sales.models
    import bot.summaries  # noqa: F401

    Base.metadata.create_all(engine)
    add_missing_columns(engine)


def add_missing_columns(engine: Engine) -> None:
    """Adds nullable columns that a newer version of a table has and an existing database lacks.

    Until schema changes go through Alembic migrations (production issue), this keeps a database
    from an earlier version working: `create_all` creates missing tables but never alters one.
    """
    existing = inspect(engine)
    tables = set(existing.get_table_names())
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in tables:
                continue
            have = {column["name"] for column in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in have or not column.nullable or column.default is not None:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
                logger.info("Added column %s.%s to the existing database", table.name, column.name)
