"""Forgetting contact details a visitor typed but did not consent to have stored.

Rasa's tracker store keeps every message as it arrives, so the name, company, e-mail address
and phone number a visitor gives in the lead form are stored before the consent question is
answered. `forget_contact_details` rewrites one conversation's stored events: every occurrence
of those details, and any e-mail address or phone number, in messages, bot answers (the consent
question repeats them) and slot values is replaced by a placeholder. It runs
- at once when the visitor says no or stops the lead form (actions/leads.py), and
- for conversations that end without an answer: `forget_abandoned`, run by the outbox worker,
  treats every conversation without a handoff that has been idle for PRIVACY_FORGET_AFTER_HOURS.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.orm import sessionmaker

from bot.contact import DIALLED_NUMBER, EMAIL
from bot.db import Base, count_rewrite
from bot.privacy.records import EVENTS
from bot.sales.models import HandoffRow

logger = logging.getLogger(__name__)

PLACEHOLDER = {"de": "[gelöscht]", "en": "[removed]"}
LEAD_SLOTS = ("lead_name", "lead_company", "lead_contact")


class ReviewedConversationRow(Base):
    """An idle conversation `forget_abandoned` has treated, up to which event."""

    __tablename__ = "privacy_reviewed_conversations"
    sender_id = Column(String(255), primary_key=True)
    last_event_id = Column(Integer, nullable=False)
    reviewed_at = Column(DateTime(timezone=True), nullable=False)
    events_rewritten = Column(Integer, nullable=False)


def _phone_numbers(text: str) -> list[str]:
    return [m for m in DIALLED_NUMBER.findall(text) if sum(c.isdigit() for c in m) >= 6]


def contact_details_in(text: str) -> list[str]:
    """The e-mail addresses and phone numbers in a visitor's message."""
    return EMAIL.findall(text) + _phone_numbers(text)


def scrub_text(text: str, known: Iterable[str], placeholder: str) -> str:
    """`text` with every known detail (name, company, e-mail, phone; at least 3 characters) replaced,
    as whole words: the name "Eva" goes, "Evaluation" stays."""
    for value in sorted({k.strip() for k in known if k and len(k.strip()) >= 3}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", placeholder, text, flags=re.IGNORECASE)
    return text


def scrub(value: Any, known: Iterable[str], placeholder: str) -> Any:
    """Every string inside a JSON value scrubbed (keys stay as they are)."""
    known = list(known)
    if isinstance(value, str):
        return scrub_text(value, known, placeholder)
    if isinstance(value, list):
        return [scrub(item, known, placeholder) for item in value]
    if isinstance(value, dict):
        return {key: scrub(item, known, placeholder) for key, item in value.items()}
    return value


def _has_events_table(session: Any) -> bool:
    return bool(sa.inspect(session.connection()).has_table("events"))


def _stored_events(session: Any, sender_id: str) -> list[tuple[int, dict[str, Any]]]:
    """One conversation's stored events in order, with their row ids; rows that are no JSON are left out."""
    rows = session.execute(sa.select(EVENTS.c.id, EVENTS.c.data).where(EVENTS.c.sender_id == sender_id)
                           .order_by(EVENTS.c.id))  # fmt: skip
    events: list[tuple[int, dict[str, Any]]] = []
    for row_id, data in rows.all():
        try:
            events.append((row_id, json.loads(data)))
        except (TypeError, json.JSONDecodeError):
            continue  # not an event we can read: leave it as Rasa wrote it
    return events


def _slot_values(events: Iterable[tuple[int, dict[str, Any]]], names: Iterable[str]) -> list[str]:
    """Every value the conversation set for the named slots, in order."""
    wanted = set(names)
    slots = (e for _, e in events if e.get("event") == "slot" and e.get("name") in wanted)
    return [str(e["value"]) for e in slots if e.get("value")]


def forget_contact_details(session_factory: sessionmaker, sender_id: str, known: Iterable[str],
                           language: str | None) -> int:  # fmt: skip
    """Rewrites the stored events of one conversation without its contact details; returns how many changed.

    The details are the `known` ones plus every e-mail address and phone number in the visitor's
    messages; they are removed wherever they occur (the bot's consent question repeats them).
    The bot's own addresses in its answers stay.
    """
    placeholder = PLACEHOLDER["en" if language == "en" else "de"]
    changed = 0
    with session_factory() as session, session.begin():
        if not _has_events_table(session):
            logger.warning("No tracker store table `events` in this database: conversation %s kept as it is", sender_id)
            return 0
        events = _stored_events(session, sender_id)
        details = [k for k in known if k]
        for _, event in events:
            if event.get("event") == "user":
                details += contact_details_in(str(event.get("text") or ""))
        for row_id, event in events:
            scrubbed = scrub(event, details, placeholder)
            if scrubbed != event:
                session.execute(sa.update(EVENTS).where(EVENTS.c.id == row_id).values(data=json.dumps(scrubbed)))
                changed += 1
        if changed:
            count_rewrite(session, sender_id)  # a Rasa process keeping the conversation in memory reads it again
    if changed:
        logger.info("Forgot the contact details of conversation %s (%d stored events rewritten)", sender_id, changed)
    return changed


def forget_abandoned(session_factory: sessionmaker, now: dt.datetime, idle: dt.timedelta) -> dict[str, int]:
    """Forgets the contact details of conversations without a handoff, idle for `idle`; once per new event."""
    cutoff = (now - idle).timestamp()
    with session_factory() as session:
        if not _has_events_table(session):
            return {}
        idle_conversations = dict(session.execute(
            sa.select(EVENTS.c.sender_id, sa.func.max(EVENTS.c.id)).group_by(EVENTS.c.sender_id)
            .having(sa.func.max(EVENTS.c.timestamp) < cutoff)
        ).all())  # fmt: skip
        handed_over = set(session.execute(sa.select(HandoffRow.conversation_id)).scalars())
        reviewed = dict(session.execute(
            sa.select(ReviewedConversationRow.sender_id, ReviewedConversationRow.last_event_id)).all())  # fmt: skip
    treated: dict[str, int] = {}
    for sender_id, last_event_id in idle_conversations.items():
        if sender_id in handed_over or reviewed.get(sender_id, -1) >= last_event_id:
            continue
        with session_factory() as session:
            events = _stored_events(session, sender_id)
        language = next(reversed(_slot_values(events, ["language"])), None)
        changed = forget_contact_details(session_factory, sender_id, _slot_values(events, LEAD_SLOTS), language)
        with session_factory() as session, session.begin():
            session.merge(ReviewedConversationRow(sender_id=sender_id, last_event_id=last_event_id, reviewed_at=now,
                                                  events_rewritten=changed))  # fmt: skip
        treated[sender_id] = changed
    return treated
