"""The SQLAlchemy engine and sessions, built once at start-up from the settings."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, String, Table, event, inspect, select, text
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

Base = declarative_base()
logger = logging.getLogger(__name__)

# Rewrites of a conversation's stored events (Rasa's `events` table) that keep its event ids, such as
# forgetting contact details (bot/privacy.py), count up the conversation's revision here, so that a
# Rasa process that keeps the conversation in memory (bot/rasa_plugins/tracker_store.py) reads it again.
CONVERSATION_REVISIONS = Table(
    "conversation_revisions",
    Base.metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("revision", Integer, nullable=False),
)


def count_rewrite(session: Any, sender_id: str) -> None:
    """Records, in the caller's transaction, that the stored events of a conversation were rewritten."""
    revisions = CONVERSATION_REVISIONS
    revisions.create(session.connection(), checkfirst=True)  # a database the tracker store has not seen yet
    current = session.execute(select(revisions.c.revision).where(revisions.c.sender_id == sender_id)).scalar()
    if current is None:
        session.execute(revisions.insert().values(sender_id=sender_id, revision=1))
    else:
        session.execute(revisions.update().where(revisions.c.sender_id == sender_id)
                        .values(revision=revisions.c.revision + 1))  # fmt: skip


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
        # file databases: a pool of open connections instead of a new one (and its PRAGMAs) for every session
        in_memory = url.database in (None, "", ":memory:")
        pool: dict[str, Any] = {} if in_memory else {"poolclass": QueuePool, "pool_size": 5, "max_overflow": 10}
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False}, **pool)
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
    add_missing_indexes(engine)


def add_missing_indexes(engine: Engine) -> None:
    """Creates the indexes that a newer version of a table has and an existing database lacks (`create_all`
    makes a table's indexes only with the table). Processes starting together may race: fine."""
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            if index.name in _index_names(engine, table.name):
                continue
            try:
                index.create(engine)
            except DBAPIError:
                if index.name not in _index_names(engine, table.name):
                    raise
                continue  # another process created it a moment ago
            logger.info("Added index %s to the existing database", index.name)


def _index_names(engine: Engine, table: str) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes(table)}


def add_missing_columns(engine: Engine) -> None:
    """Adds nullable columns that a newer version of a table has and an existing database lacks.

    Until schema changes go through Alembic migrations (production issue), this keeps a database
    from an earlier version working: `create_all` creates missing tables but never alters one.
    Processes starting together may race: a column another one added meanwhile is fine.
    """
    quote = engine.dialect.identifier_preparer.quote
    for table in Base.metadata.sorted_tables:
        inspector = inspect(engine)
        if not inspector.has_table(table.name):
            continue
        have = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            if not column.nullable or column.default is not None or column.server_default is not None:
                logger.warning("Column %s.%s is missing and cannot be added automatically; migrate the database",
                               table.name, column.name)  # fmt: skip
                continue
            kind = column.type.compile(dialect=engine.dialect)
            statement = f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"
            try:
                with engine.begin() as connection:
                    connection.execute(text(statement))
            except DBAPIError:
                if column.name not in {c["name"] for c in inspect(engine).get_columns(table.name)}:
                    raise
                continue  # another process added it a moment ago
            logger.info("Added column %s.%s to the existing database", table.name, column.name)
