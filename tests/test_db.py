"""The database schema: a database from an earlier version keeps working after an upgrade."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, select, text

from bot.db import create_tables, make_engine, make_session_factory
from bot.sales.models import HandoffRow


def test_a_column_added_in_a_newer_version_is_added_to_an_existing_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    create_tables(engine)
    with engine.begin() as connection:  # the database as the previous version left it
        connection.execute(text("ALTER TABLE handoffs DROP COLUMN journey_explanation"))
    assert "journey_explanation" not in {c["name"] for c in inspect(engine).get_columns("handoffs")}
    create_tables(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))  # the new version starts
    assert "journey_explanation" in {c["name"] for c in inspect(engine).get_columns("handoffs")}
    with make_session_factory(engine)() as session:
        assert session.execute(select(HandoffRow)).scalars().all() == []
    create_tables(engine)  # and again: nothing left to add, no error


def test_an_index_added_in_a_newer_version_is_created_and_routing_reads_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    create_tables(engine)
    with engine.begin() as connection:  # the database as the previous version left it
        connection.execute(text("DROP INDEX ix_handoffs_assignee_created_at"))
    create_tables(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))  # the new version starts
    assert "ix_handoffs_assignee_created_at" in {i["name"] for i in inspect(engine).get_indexes("handoffs")}
    with engine.connect() as connection:  # each salesperson's latest handoff, without reading every handoff
        plan = connection.execute(text(
            "EXPLAIN QUERY PLAN SELECT assignee, max(created_at) FROM handoffs GROUP BY assignee")).all()
    assert "COVERING INDEX ix_handoffs_assignee_created_at" in " ".join(str(row[-1]) for row in plan)
    create_tables(engine)  # and again: nothing left to add, no error
