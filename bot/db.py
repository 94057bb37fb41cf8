"""The SQLAlchemy engine and sessions, built once at start-up from the settings."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, String, Table, event, select
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

Base = declarative_base()
logger = logging.getLogger(__name__)

# Rewrites of a conversation's stored events (Rasa's `events` table) that keep its event ids, such as
# forgetting contact details (bot/privacy/forget.py), count up the conversation's revision here, so that a
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


def make_engine(database_url: str, pre_ping: bool = True, autocommit: bool = False) -> Engine:
    """An engine for the URL; SQLite gets foreign keys on, WAL, and its folder created. A server's connections are
    tested before each use (`pre_ping`, one round trip) unless the caller turns a dropped one into an error
    the client retries anyway, as Rasa's tracker store does (a dropped connection then empties the pool);
    `autocommit` makes a server's pool for reads that need no transaction (no BEGIN and ROLLBACK round trips)."""
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
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    return create_engine(url, future=True, pool_pre_ping=pre_ping, **options)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, future=True, expire_on_commit=False)


def import_models() -> None:
    """Every module that defines tables, so that `Base.metadata` knows them all."""
    import bot.aftersale.nps
    import bot.aftersale.referrals
    import bot.analytics.models
    import bot.catalogue.models
    import bot.privacy.audit
    import bot.privacy.forget
    import bot.sales.accounts
    import bot.sales.models
    import bot.summaries  # noqa: F401


def create_tables(engine: Engine) -> None:
    """Our tables as the newest migration has them (bot/migrations)."""
    from bot.migrations import upgrade

    upgrade(engine)


def as_utc(value: Any) -> Any:
    """A stored time in UTC: SQLite gives naive datetimes back (they were stored in UTC), PostgreSQL aware ones in the
    session's zone. None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
