"""Reads Rasa's `events` table from where it stopped last time and keeps the dashboard's tables up to date
(bot/analytics/models.py): the worker does it every few seconds (bot/sales/worker.py), the report before it counts.

One batch is one transaction that begins by taking the progress row for itself (an UPDATE: PostgreSQL locks the row,
SQLite the database), so two workers never count an event twice. Only what a report needs is read: the visitors'
messages and the journey slots.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.analytics.models import ConversationFacts, Missed, PhaseTransitions, Progress, Questions
from bot.journey.vocabulary import PHASES

logger = logging.getLogger(__name__)

#: a message the bot read with less confidence than this, or as the fallback, counts as not understood (the same
#: rule as the editor area's "Nicht verstanden", bot/content/not_understood.py)
LOW_CONFIDENCE = 0.5
BATCH = 5000
#: one bit per phase in ConversationFacts.reached
PHASE_BIT = {phase: 1 << number for number, phase in enumerate(PHASES)}
#: the slots whose value a conversation's row keeps (slot name → column)
KEPT = {"language": "language", "persona": "persona", "segment": "segment"}
EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                  sa.column("timestamp"), sa.column("data"))  # fmt: skip


@dataclass
class _Conversation:
    values: dict[str, Any]
    new: bool
    changed: bool = False


def ingest(engine: Engine, batch: int = BATCH) -> int:
    """Takes in the events after the last one taken in, at most `batch` per transaction, until none is left; returns
    how many it read."""
    _progress_row(engine)
    total = 0
    while True:
        with engine.begin() as connection:
            read = _one_batch(connection, batch)
        total += read
        if read < batch:
            return total


def _progress_row(engine: Engine) -> None:
    """The progress row, made once (two workers may try at the same moment: one of them makes it)."""
    progress = Progress.__table__
    with engine.connect() as connection:
        if connection.execute(sa.select(progress.c.name).where(progress.c.name == "events")).first() is not None:
            return
    try:
        with engine.begin() as connection:
            connection.execute(progress.insert().values(name="events", last_event_id=0))
    except sa.exc.IntegrityError:
        pass  # the other one made it


def _one_batch(connection: Connection, batch: int) -> int:
    if not sa.inspect(connection).has_table("events"):
        return 0  # no conversation yet
    progress = Progress.__table__
    connection.execute(progress.update().where(progress.c.name == "events")
                       .values(last_event_id=progress.c.last_event_id))  # fmt: skip
    last = connection.execute(sa.select(progress.c.last_event_id).where(progress.c.name == "events")).scalar_one()
    rows = connection.execute(
        sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.id > last).order_by(EVENTS.c.id).limit(batch)
    ).all()  # fmt: skip
    if not rows:
        return 0
    conversations = _known(connection, {row.sender_id for row in rows if row.type_name in ("user", "slot")})
    transitions: Counter[tuple[str, ...]] = Counter()  # (day, language, from, to)
    questions: Counter[tuple[str, ...]] = Counter()  # (day, language, phase, intent)
    missed: list[dict[str, Any]] = []
    for row in rows:
        if row.type_name not in ("user", "slot"):
            continue
        at = dt.datetime.fromtimestamp(float(row.timestamp), dt.timezone.utc)
        conversation = conversations.get(row.sender_id)
        if conversation is None:
            conversation = conversations[row.sender_id] = _Conversation(_new(row.sender_id, at), new=True)
        facts = conversation.values
        facts["last_at"], conversation.changed = at, True
        event = json.loads(row.data) if isinstance(row.data, str) else row.data
        if row.type_name == "user":
            _turn(facts, at, event, questions, missed)
            facts["messages"] += 1
        else:
            _slot(facts, str(event.get("name") or ""), event.get("value"), at, transitions)
    _store(connection, conversations, transitions, questions, missed)
    connection.execute(progress.update().where(progress.c.name == "events").values(last_event_id=rows[-1].id))
    return len(rows)


def _known(connection: Connection, senders: set[str]) -> dict[str, _Conversation]:
    facts = ConversationFacts.__table__
    found: dict[str, _Conversation] = {}
    names = sorted(senders)
    for start in range(0, len(names), 500):
        for row in connection.execute(sa.select(facts).where(facts.c.sender_id.in_(names[start : start + 500]))):
            found[row.sender_id] = _Conversation(dict(row._mapping), new=False)
    return found


COLUMNS = ("sender_id", "started_at", "last_at", "language", "touchpoint", "phase", "reached", "persona", "segment",
           "messages")  # fmt: skip


def _new(sender_id: str, at: dt.datetime) -> dict[str, Any]:
    return dict.fromkeys(COLUMNS) | {"sender_id": sender_id, "started_at": at, "last_at": at, "reached": 0,
                                     "messages": 0}  # fmt: skip


def _turn(facts: dict[str, Any], at: dt.datetime, event: dict[str, Any], questions: Counter[tuple[str, ...]],
          missed: list[dict[str, Any]]) -> None:  # fmt: skip
    intent = (event.get("parse_data") or {}).get("intent") or {}
    name, confidence = str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)
    said = str(event.get("text") or "").strip()
    typed = bool(said) and not said.startswith("/")  # a button's payload is understood by construction
    language = facts["language"] or ""
    if not typed or (name != "nlu_fallback" and confidence >= LOW_CONFIDENCE):
        questions[at.date().isoformat(), language, facts["phase"] or "", name[:100]] += 1
    else:
        missed.append({"sender_id": facts["sender_id"], "at": at, "language": language,
                       "text": _without_contact_details(said)[:1000]})  # fmt: skip


def _without_contact_details(said: str) -> str:
    """The text with its e-mail addresses and phone numbers replaced: the dashboard shows what visitors asked, never
    how to reach them (the conversation itself is forgotten without consent, bot/privacy/forget.py)."""
    from bot.privacy.forget import contact_details_in, scrub_text

    return scrub_text(said, contact_details_in(said), "[…]")


def _slot(facts: dict[str, Any], name: str, value: Any, at: dt.datetime, transitions: Counter[tuple[str, ...]]
          ) -> None:  # fmt: skip
    if name == "journey_phase" and isinstance(value, str) and value in PHASE_BIT and value != facts["phase"]:
        transitions[at.date().isoformat(), facts["language"] or "", facts["phase"] or "", value] += 1
        facts["phase"] = value
        facts["reached"] |= PHASE_BIT[value]
    elif name == "touchpoint" and isinstance(value, str) and facts["touchpoint"] is None:
        facts["touchpoint"] = value[:20]
    elif name in KEPT and (value is None or isinstance(value, str)):
        facts[KEPT[name]] = value[:30] if isinstance(value, str) else value


def _store(connection: Connection, conversations: dict[str, _Conversation], transitions: Counter[tuple[str, ...]],
           questions: Counter[tuple[str, ...]], missed: list[dict[str, Any]]) -> None:  # fmt: skip
    facts = ConversationFacts.__table__
    new = [c.values for c in conversations.values() if c.new]
    if new:
        connection.execute(facts.insert(), new)
    changed = [{f"v_{name}": value for name, value in c.values.items()}
               for c in conversations.values() if c.changed and not c.new]  # fmt: skip
    if changed:
        columns = {name: sa.bindparam(f"v_{name}") for name in COLUMNS if name != "sender_id"}
        connection.execute(facts.update().where(facts.c.sender_id == sa.bindparam("v_sender_id")).values(columns),
                           changed)  # fmt: skip
    _add_counts(connection, PhaseTransitions.__table__, ("day", "language", "from_phase", "to_phase"), transitions)
    _add_counts(connection, Questions.__table__, ("day", "language", "phase", "intent"), questions)
    if missed:
        connection.execute(Missed.__table__.insert(), missed)


def _add_counts(connection: Connection, table: sa.Table, keys: tuple[str, ...], counts: Counter[tuple[str, ...]]
                ) -> None:  # fmt: skip
    """Adds each count to its day's row, making the rows that are not there yet."""
    if not counts:
        return
    match = sa.and_(*(table.c[key] == sa.bindparam(f"k_{key}") for key in keys))
    values = [{**{f"k_{key}": part for key, part in zip(keys, key_parts, strict=True)}, "k_count": count}
              for key_parts, count in counts.items()]  # fmt: skip
    days = sorted({parts[0] for parts in counts})
    existing = {tuple(row) for row in connection.execute(sa.select(*(table.c[key] for key in keys))
                                                         .where(table.c["day"].in_(days)))}  # fmt: skip
    known = [value for value, parts in zip(values, counts, strict=True) if parts in existing]
    if known:
        added = {"count": table.c["count"] + sa.bindparam("k_count")}
        connection.execute(table.update().where(match).values(added), known)
    fresh = [dict(zip((*keys, "count"), (*parts, count), strict=True)) for parts, count in counts.items()
             if parts not in existing]  # fmt: skip
    if fresh:
        connection.execute(table.insert(), fresh)
