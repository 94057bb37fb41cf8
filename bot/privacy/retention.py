"""Retention: what has been kept long enough is deleted, once a day by the worker (bot/sales/worker.py).

- a conversation without a handoff, RETENTION_CONVERSATION_DAYS after its last event: expired whole (erase.py
  `delete_conversations`, with NPS answers and the dashboard's row anonymised);
- a handoff (any kind), RETENTION_HANDOFF_DAYS after its last change: with its notes, activity and deliveries; its
  conversation then goes with the others once it is old enough too; referral codes and credits after as long;
- notes on handoffs that stay, RETENTION_NOTE_DAYS after they were written (with the activity entry that repeats
  the note's text);
- delivery records of delivered notifications, RETENTION_OUTBOX_DAYS after delivery (pending ones stay).

0 turns a kind off. Each step commits in small transactions, so Rasa's writes never wait long for the database.
docs/privacy.md gives the defaults and their reasons.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.privacy import audit
from bot.privacy.erase import BATCH, anonymise, delete_conversations
from bot.privacy.records import CHILDREN, EVENTS, tables

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionPolicy:
    conversation_days: int = 90
    handoff_days: int = 365
    note_days: int = 365
    outbox_days: int = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(settings.retention_conversation_days, settings.retention_handoff_days,
                   settings.retention_note_days, settings.retention_outbox_days)  # fmt: skip


def _before(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def _delete(session_factory: sessionmaker, name: str, condition: object, counts: Counter[str]) -> None:
    with session_factory.begin() as session:
        table = tables(session).get(name)
        if table is not None:
            counts[name] += session.execute(sa.delete(table).where(condition(table))).rowcount or 0  # type: ignore


def _expired_handoffs(session_factory: sessionmaker, cutoff: dt.datetime, counts: Counter[str]) -> None:
    while True:
        with session_factory.begin() as session:
            present = tables(session)
            handoffs = present.get("handoffs")
            if handoffs is None:
                return
            ids = list(session.execute(sa.select(handoffs.c.id).where(handoffs.c.updated_at < cutoff)
                                       .limit(BATCH)).scalars())  # fmt: skip
            if not ids:
                return
            for child, column, _ in CHILDREN["handoffs"]:  # notes, activity, deliveries (records.py)
                if child in present:
                    counts[child] += session.execute(sa.delete(present[child])
                                                     .where(present[child].c[column].in_(ids))).rowcount or 0
            counts["handoffs"] += session.execute(sa.delete(handoffs).where(handoffs.c.id.in_(ids))).rowcount or 0


def _idle(session: Session, cutoff: dt.datetime, among: list[str] | None = None) -> list[str]:
    """Conversations whose last event is older than the cutoff and that no handoff keeps (`among` these only)."""
    present = tables(session)
    if "events" not in present:
        return []
    idle = sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(
        sa.func.max(EVENTS.c.timestamp) < cutoff.timestamp())
    if among is not None:
        idle = idle.where(EVENTS.c.sender_id.in_(among))
    if "handoffs" in present:
        idle = idle.where(EVENTS.c.sender_id.not_in(sa.select(present["handoffs"].c.conversation_id)))
    return list(session.execute(idle).scalars())


def _expire_dashboard_leftovers(session_factory: sessionmaker, cutoff: dt.datetime, counts: Counter[str]) -> None:
    """The dashboard's rows of conversations whose events are gone already (the worker took in a conversation's last
    events while it was being deleted): old missed messages deleted, old rows anonymised like the others."""
    _delete(session_factory, "analytics_missed", lambda t: t.c.at < cutoff, counts)
    with session_factory() as session:
        facts = tables(session).get("analytics_conversations")
        if facts is None:
            return
        left = list(session.execute(sa.select(facts.c.sender_id).where(
            facts.c.last_at < cutoff, sa.not_(facts.c.sender_id.startswith("expired-")))).scalars())  # fmt: skip
        handoffs = tables(session).get("handoffs")
        kept = sa.select(handoffs.c.conversation_id) if handoffs is not None else None
        handed_over = set(session.execute(kept).scalars()) if kept is not None else set()
    left = [sender for sender in left if sender not in handed_over]
    for start in range(0, len(left), BATCH):
        with session_factory.begin() as session:
            counts["analytics_conversations"] += anonymise(session, facts, "sender_id", left[start:start + BATCH])


def sweep(session_factory: sessionmaker, now: dt.datetime, policy: RetentionPolicy,
          actor: str = "retention") -> audit.AuditRecord:  # fmt: skip
    """Deletes what has expired at `now`; the audit record (also logged) has the rows per table."""
    counts: Counter[str] = Counter()
    if policy.outbox_days:
        cutoff = _before(now, policy.outbox_days)
        _delete(session_factory, "handoff_outbox",
                lambda t: (t.c.status == "delivered") & (t.c.delivered_at < cutoff), counts)  # fmt: skip
    if policy.note_days:
        cutoff = _before(now, policy.note_days)
        _delete(session_factory, "handoff_notes", lambda t: t.c.created_at < cutoff, counts)
        _delete(session_factory, "handoff_activity", lambda t: (t.c.action == "note") & (t.c.at < cutoff), counts)
    if policy.handoff_days:
        cutoff = _before(now, policy.handoff_days)
        _expired_handoffs(session_factory, cutoff, counts)
        _delete(session_factory, "referral_credits", lambda t: t.c.created_at < cutoff, counts)
        with session_factory.begin() as session:  # a code's remaining credits go with it
            present = tables(session)
            if "referral_codes" in present and "referral_credits" in present:
                old = sa.select(present["referral_codes"].c.code).where(present["referral_codes"].c.created_at < cutoff)
                counts["referral_credits"] += session.execute(sa.delete(present["referral_credits"]).where(
                    present["referral_credits"].c.code.in_(old))).rowcount or 0  # fmt: skip
        _delete(session_factory, "referral_codes", lambda t: t.c.created_at < cutoff, counts)
    conversations = 0
    if policy.conversation_days:
        cutoff = _before(now, policy.conversation_days)
        with session_factory() as session:
            idle = _idle(session, cutoff)
        for start in range(0, len(idle), BATCH):
            with session_factory.begin() as session:  # a visitor who came back meanwhile is no longer idle
                still = _idle(session, cutoff, among=idle[start:start + BATCH])
                counts.update(delete_conversations(session, still, expiring=True))
                conversations += len(still)
        _expire_dashboard_leftovers(session_factory, _before(now, policy.conversation_days), counts)
    record = audit.AuditRecord(now, actor, "retention", "expired", conversations,
                               {name: n for name, n in sorted(counts.items()) if n})  # fmt: skip
    with session_factory.begin() as session:
        audit.write(session, record)
    logger.info("Retention: %d conversation(s) expired; rows deleted or anonymised: %s", conversations,
                ", ".join(f"{name} {n}" for name, n in record.rows.items()) or "none")  # fmt: skip
    return record
