"""Everything stored about a person as one JSON document (DSGVO Art. 15): per conversation, the stored events as
Rasa keeps them, and every row of every table of `records.PARTS` with its children.

A referral code's credits name other visitors' conversations: the export says how many there are, not which.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.privacy import audit
from bot.privacy.records import CHILDREN, EVENTS, PARTS, Selector, find, tables

FORMAT_VERSION = 1
#: children that belong to other people: counted, not listed
COUNTED_CHILDREN = {"referral_credits"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _row(row: sa.Row) -> dict[str, Any]:
    return {key: _plain(value) for key, value in row._mapping.items()}


def _events(session: Session, conversation_id: str) -> list[Any]:
    rows = session.execute(sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == conversation_id)
                           .order_by(EVENTS.c.id)).scalars()  # fmt: skip
    events = []
    for data in rows:
        try:
            events.append(json.loads(data))
        except (TypeError, ValueError):
            events.append({"unreadable": data})
    return events


def conversation_document(session: Session, conversation_id: str, counts: Counter[str]) -> dict[str, Any]:
    present = tables(session)
    document: dict[str, Any] = {"conversation_id": conversation_id}
    for part in PARTS:
        table = present.get(part.table)
        if table is None:
            continue
        if part.table == "events":
            document["events"] = _events(session, conversation_id)
            counts["events"] += len(document["events"])
            continue
        rows = session.execute(sa.select(table).where(table.c[part.column] == conversation_id)).all()
        listed = []
        for row in rows:
            item = _row(row)
            for child_name, child_column, parent_column in CHILDREN.get(part.table, ()):
                child = present.get(child_name)
                if child is None:
                    continue
                where = child.c[child_column] == item[parent_column]
                if child_name in COUNTED_CHILDREN:
                    item[child_name] = session.execute(sa.select(sa.func.count()).select_from(child).where(where)
                                                       ).scalar_one()  # fmt: skip
                else:
                    item[child_name] = [_row(r) for r in session.execute(sa.select(child).where(where)
                                                                         .order_by(*child.primary_key)).all()]
                    counts[child_name] += len(item[child_name])
            listed.append(item)
        document[part.table] = listed
        counts[part.table] += len(listed)
    return document


def export(session_factory: sessionmaker, selector: Selector, actor: str, now: dt.datetime) -> dict[str, Any]:
    """The JSON document of everything stored about the selected person; the export is recorded (without it)."""
    counts: Counter[str] = Counter()
    with session_factory() as session:
        found = find(session, selector)
        conversations = found.own
        documents = [conversation_document(session, conversation, counts) for conversation in conversations]
    with session_factory() as session, session.begin():
        audit.write(session, audit.AuditRecord(now, actor, "export", selector.kind, len(conversations),
                                               {name: n for name, n in sorted(counts.items()) if n}))  # fmt: skip
    return {"format": FORMAT_VERSION, "exported_at": now.isoformat(),
            "selected_by": {"kind": selector.kind, "value": selector.value},
            "conversations": documents,
            # for the operator, not the person: conversations where the address or number only occurs in a message
            # (someone else may have typed it); check them and export by conversation id if they are the person's
            "also_mentioned_in": found.mentioned}  # fmt: skip
