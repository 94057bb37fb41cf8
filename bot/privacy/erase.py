"""Deleting everything stored of conversations (DSGVO Art. 17), and expiring it (retention).

`erase` deletes the selected conversations whole, in every table of `records.PARTS` with their children, in one
transaction with its audit record. Running it again finds nothing and deletes nothing (it still writes a record).
Rasa's events go too; the conversation's revision is counted up (bot/db.py `count_rewrite`), so that a Rasa process
that keeps it in memory reads it again and never writes the deleted events back (bot/rasa_plugins/tracker_store.py).

`expire` (retention) deletes the same, except what the dashboard counts over longer periods: an NPS answer keeps its
score, product, phase, language and date without conversation, customer and comment, and the dashboard's row of the
conversation keeps its figures under a random id. Referral codes and credits have their own retention there.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.db import count_rewrite
from bot.privacy import audit
from bot.privacy.records import CHILDREN, EVENTS, PARTS, Selector, find, tables

logger = logging.getLogger(__name__)

BATCH = 200  # conversations per statement
#: kept by `expire`: anonymised (NPS answers, dashboard rows) or expired on their own (referrals)
ANONYMISED = ("nps_answers", "analytics_conversations")
OWN_RETENTION = ("referral_codes", "referral_credits")


def delete_conversations(session: Session, conversation_ids: Sequence[str], expiring: bool = False) -> Counter[str]:
    """Deletes (or, `expiring`, expires) the conversations in the caller's transaction; rows per table."""
    counts: Counter[str] = Counter()
    present = tables(session)
    for start in range(0, len(conversation_ids), BATCH):
        batch = list(conversation_ids[start:start + BATCH])
        for part in PARTS:
            table = present.get(part.table)
            if table is None or (expiring and part.table in OWN_RETENTION):
                continue
            where = table.c[part.column].in_(batch)
            for child_name, child_column, parent_column in CHILDREN.get(part.table, ()):
                child = present.get(child_name)
                if child is not None:
                    parents = sa.select(table.c[parent_column]).where(where).scalar_subquery()
                    result = session.execute(sa.delete(child).where(child.c[child_column].in_(parents)))
                    counts[child_name] += result.rowcount or 0
            if expiring and part.table in ANONYMISED:
                counts[part.table] += anonymise(session, table, part.column, batch)
                continue
            if part.table == "conversation_revisions" and not expiring:
                for sender in batch:  # a Rasa process may keep the conversation in memory: it must read it again
                    count_rewrite(session, sender)
                continue
            counts[part.table] += session.execute(sa.delete(table).where(where)).rowcount or 0
    if counts["events"]:
        _rewind_analytics(session, present)
    return counts


def _rewind_analytics(session: Session, present: dict[str, sa.Table]) -> None:
    """SQLite gives the next event the highest id left plus one, which may be an id the dashboard's ingestion has
    read past when the newest events were deleted: its progress goes back to the highest id left (no event is read
    twice, since the deleted ones are gone)."""
    progress = present.get("analytics_progress")
    if progress is None:
        return
    highest = sa.select(sa.func.coalesce(sa.func.max(EVENTS.c.id), 0)).scalar_subquery()
    session.execute(sa.update(progress).where(progress.c.last_event_id > highest).values(last_event_id=highest))


def anonymise(session: Session, table: sa.Table, column: str, batch: list[str]) -> int:
    if table.name == "nps_answers":
        result = session.execute(sa.update(table).where(table.c[column].in_(batch))
                                 .values(conversation_id="", customer="", comment=None))  # fmt: skip
        return result.rowcount or 0
    changed = 0  # the dashboard's row: a random id for each (it is the primary key)
    for sender in batch:
        result = session.execute(sa.update(table).where(table.c[column] == sender)
                                 .values({column: f"expired-{secrets.token_hex(12)}"}))  # fmt: skip
        changed += result.rowcount or 0
    return changed


@dataclass(frozen=True)
class Erasure:
    """What a deletion did (`record`, also stored), and what the operator must follow up: the conversations where the
    address or number only occurred in a message (not deleted), and the notifications already delivered to the sales
    or support team (their copies are in a mailbox or CRM: DSGVO Art. 19)."""

    record: audit.AuditRecord
    mentioned: list[str]
    delivered: list[dict[str, Any]]

    @property
    def conversations(self) -> int:
        return self.record.conversations

    @property
    def rows(self) -> dict[str, int]:
        return self.record.rows

    def as_dict(self) -> dict[str, Any]:
        return self.record.as_dict() | {"also_mentioned_in": self.mentioned, "delivered_notifications": self.delivered}


def _delivered(session: Session, conversation_ids: Sequence[str]) -> list[dict[str, Any]]:
    present = tables(session)
    outbox, handoffs = present.get("handoff_outbox"), present.get("handoffs")
    if outbox is None or handoffs is None or not conversation_ids:
        return []
    rows = session.execute(sa.select(outbox.c.handoff_id, handoffs.c.kind, outbox.c.channel, outbox.c.delivered_at)
                           .join(handoffs, handoffs.c.id == outbox.c.handoff_id)
                           .where(handoffs.c.conversation_id.in_(list(conversation_ids)),
                                  outbox.c.status == "delivered")
                           .order_by(outbox.c.handoff_id, outbox.c.channel))  # fmt: skip
    return [{"handoff_id": handoff, "kind": kind, "channel": channel,
             "delivered_at": when.isoformat() if when else None} for handoff, kind, channel, when in rows]  # fmt: skip


def erase(session_factory: sessionmaker, selector: Selector, actor: str, now: dt.datetime) -> Erasure:
    """Deletes every conversation the selector names, everywhere; the audit record says how many rows went."""
    with session_factory() as session, session.begin():
        found = find(session, selector)
        delivered = _delivered(session, found.own)
        counts = delete_conversations(session, found.own)
        record = audit.AuditRecord(now, actor, "delete", selector.kind, len(found.own),
                                   {name: n for name, n in sorted(counts.items()) if n})  # fmt: skip
        audit.write(session, record)
    logger.info("Privacy: deleted %d conversation(s) selected by %s for %s: %s", len(found.own), selector.kind,
                actor, ", ".join(f"{name} {n}" for name, n in record.rows.items()) or "nothing stored")  # fmt: skip
    return Erasure(record, found.mentioned, delivered)
