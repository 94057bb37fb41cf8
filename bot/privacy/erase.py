"""Deleting everything stored of conversations (DSGVO Art. 17), and expiring it (retention).

`erase` deletes the selected conversations whole, in every table of `records.PARTS` with their children, in one
transaction with its audit record. Running it again finds nothing and deletes nothing (it still writes a record).
Rasa's events go too: a Rasa process that keeps the conversation in memory notices that its stored events are gone
(bot/rasa_plugins/tracker_store.py) and never writes them back.

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

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.privacy import audit
from bot.privacy.records import CHILDREN, PARTS, Selector, conversations_of, tables

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
            counts[part.table] += session.execute(sa.delete(table).where(where)).rowcount or 0
    return counts


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


def erase(session_factory: sessionmaker, selector: Selector, actor: str, now: dt.datetime) -> audit.AuditRecord:
    """Deletes every conversation the selector names, everywhere; the audit record says how many rows went."""
    with session_factory() as session, session.begin():
        conversations = conversations_of(session, selector)
        counts = delete_conversations(session, conversations)
        record = audit.AuditRecord(now, actor, "delete", selector.kind, len(conversations),
                                   {name: n for name, n in sorted(counts.items()) if n})  # fmt: skip
        audit.write(session, record)
    logger.info("Privacy: deleted %d conversation(s) selected by %s for %s: %s", len(conversations), selector.kind,
                actor, ", ".join(f"{name} {n}" for name, n in record.rows.items()) or "nothing stored")  # fmt: skip
    return record
