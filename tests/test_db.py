"""Our tables belong to Alembic migrations (bot/migrations): from an empty database, from the tables an earlier
version made with `create_all`, again and again, on SQLite and on PostgreSQL; Rasa's events table stays Rasa's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine

from bot.db import Base, create_tables, import_models, make_engine, make_session_factory
from bot.migrations import current_revision, head_revision, include_object
from bot.sales.models import HandoffRow
from tests.services.postgres import postgres_server


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'journey.db'}")
        yield made
        made.dispose()
        return
    with postgres_server() as (url, _data, _port):
        made = make_engine(url)
        yield made
        made.dispose()


def schema_differences(engine: Engine) -> list[object]:
    """What autogenerate would change to make the database match our models: nothing, if the migrations are right."""
    import_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        return list(compare_metadata(context, Base.metadata))


def add_handoff(engine: Engine) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    with make_session_factory(engine)() as session, session.begin():
        session.add(HandoffRow(conversation_id="c1", name="Lena", consent_at=now, consent_version="v1",
                               consent_text="ok", language="de", products_shown=[], reviews_shown=[], questions=[],
                               transcript=[], created_at=now, updated_at=now))  # fmt: skip


def test_an_empty_database_gets_every_table_at_the_newest_revision(engine: Engine) -> None:
    create_tables(engine)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    create_tables(engine)  # every process does this on start: nothing happens the second time
    assert current_revision(engine) == head_revision()


def test_a_database_made_by_create_all_keeps_its_rows_and_is_migrated(engine: Engine) -> None:
    import_models()
    Base.metadata.create_all(engine)  # how the previous version made its tables
    add_handoff(engine)
    assert current_revision(engine) is None
    create_tables(engine)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    with make_session_factory(engine)() as session:
        assert [row.name for row in session.execute(select(HandoffRow)).scalars()] == ["Lena"]


def test_rasas_events_table_is_left_alone(engine: Engine) -> None:
    with engine.begin() as connection:  # what Rasa's SQL tracker store makes before our processes start
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"))
        connection.execute(text("INSERT INTO events (id, sender_id, data) VALUES (1, 'c1', '{}')"))
    create_tables(engine)
    assert "events" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT sender_id FROM events")).scalars().all() == ["c1"]
    assert schema_differences(engine) == []


def test_handoffs_stored_before_kinds_are_sales_and_a_conversation_may_have_one_of_each_kind(engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    from bot.migrations import upgrade

    upgrade(engine, "0006")  # the schema before handoff kinds: one handoff per conversation
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO handoffs (conversation_id, name, consent_at, consent_version, consent_text, language, "
            "products_shown, reviews_shown, questions, transcript, status, created_at, updated_at) VALUES ('c1', "
            "'Lena', '2026-11-30 10:00:00', 'v1', 'ok', 'de', '[]', '[]', '[]', '[]', 'new', '2026-11-30 10:00:00', "
            "'2026-11-30 10:00:00')"
        ))  # fmt: skip
        for table, values in (("handoff_notes", "(1, 'lena', 'called back', '2026-11-30 11:00:00')"),
                              ("handoff_activity", "(1, '2026-11-30 10:30:00', 'lena', 'claim', 'claimed')"),
                              ("handoff_outbox", "(1, 'email', 'pending', 0, '2026-11-30 10:00:00')")):
            columns = {"handoff_notes": "(handoff_id, author, text, created_at)",
                       "handoff_activity": "(handoff_id, at, author, action, detail)",
                       "handoff_outbox": "(handoff_id, channel, status, attempts, next_attempt_at)"}[table]
            connection.execute(text(f"INSERT INTO {table} {columns} VALUES {values}"))
    create_tables(engine)
    assert schema_differences(engine) == []
    with engine.connect() as connection:  # SQLite copies the handoffs table: what points to a handoff stays
        for table in ("handoff_notes", "handoff_activity", "handoff_outbox"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1, table
    now = dt.datetime.now(dt.timezone.utc)
    row = {"conversation_id": "c1", "consent_at": now, "consent_version": "v1", "consent_text": "ok",
           "language": "de", "products_shown": [], "reviews_shown": [], "questions": [], "transcript": [],
           "created_at": now, "updated_at": now}  # fmt: skip
    with make_session_factory(engine)() as session, session.begin():
        assert [(h.name, h.kind) for h in session.execute(select(HandoffRow)).scalars()] == [("Lena", "sales")]
        session.add(HandoffRow(kind="support", **row))  # the same customer, unhappy, asks support to call
    with pytest.raises(IntegrityError), make_session_factory(engine)() as session, session.begin():
        session.add(HandoffRow(kind="sales", **row))  # a second sales handoff of one conversation
