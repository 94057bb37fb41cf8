"""What a data-rights request selects, and where a conversation's data lies.

A request names a conversation (its id, the widget's session id), an e-mail address or a phone number. An address
or number selects every conversation in which it occurs: in a handoff, or anywhere in the stored events (the visitor
typed it, the bot repeated it). Addresses match without regard to case; phone numbers by their last nine digits, so
"+49 171 2345678", "0049 171 2345678" and "0171 / 234 56 78" are one number.

`PARTS` lists every table that holds something of a conversation, by the column that names it; `CHILDREN` the rows
that hang off those (a handoff's notes, activity and deliveries; the credits of a referral code). Tables a database
does not have (Rasa's `events` before Rasa ran) are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.contact import DIALLED_NUMBER, EMAIL
from bot.db import Base, import_models

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent): one row per event, JSON in `data`.
EVENTS = sa.table("events", sa.column("id", sa.Integer), sa.column("sender_id", sa.String),
                  sa.column("type_name", sa.String), sa.column("timestamp", sa.Float),
                  sa.column("data", sa.Text))  # fmt: skip
SELECTORS = ("conversation", "email", "phone")
PHONE_DIGITS = 9  # a number's last digits that identify it, whatever the prefix (+49, 0049, 0)
MIN_PHONE_DIGITS = 6


@dataclass(frozen=True)
class Part:
    table: str
    column: str  # the column that holds the conversation id


PARTS = (
    Part("events", "sender_id"),
    Part("handoffs", "conversation_id"),
    Part("boss_summaries", "conversation_id"),
    Part("nps_answers", "conversation_id"),
    Part("nps_invitations", "conversation_id"),
    Part("referral_codes", "conversation_id"),
    Part("referral_credits", "conversation_id"),
    Part("analytics_conversations", "sender_id"),
    Part("analytics_missed", "sender_id"),
    Part("privacy_reviewed_conversations", "sender_id"),
    Part("conversation_revisions", "sender_id"),
)
#: rows of other tables that belong to a part's rows: (table, its column, the part's column it refers to)
CHILDREN = {
    "handoffs": (("handoff_notes", "handoff_id", "id"), ("handoff_activity", "handoff_id", "id"),
                 ("handoff_outbox", "handoff_id", "id")),
    "referral_codes": (("referral_credits", "code", "code"),),
}  # fmt: skip


class SelectorError(ValueError):
    """A request that names nobody (an empty id, no e-mail address, too few digits)."""


@dataclass(frozen=True)
class Selector:
    kind: str  # one of SELECTORS
    value: str

    @classmethod
    def of(cls, kind: str, value: str | None) -> Selector:
        value = (value or "").strip()
        if kind not in SELECTORS:
            raise SelectorError(f"select by {', '.join(SELECTORS)}, not {kind!r}")
        if kind == "conversation" and not 0 < len(value) <= 255:
            raise SelectorError("a conversation id has 1 to 255 characters")
        if kind == "email" and not EMAIL.fullmatch(value):
            raise SelectorError(f"{value!r} is no e-mail address")
        if kind == "phone" and phone_key(value) is None:
            raise SelectorError(f"a phone number needs at least {MIN_PHONE_DIGITS} digits")
        return cls(kind, value)


def phone_key(number: str) -> str | None:
    """The digits that identify a phone number (its last nine), or None for fewer than six digits."""
    digits = re.sub(r"\D", "", number)
    return digits[-PHONE_DIGITS:] if len(digits) >= MIN_PHONE_DIGITS else None


def tables(session: Session) -> dict[str, sa.Table]:
    """The tables of PARTS and CHILDREN this database has, by name."""
    import_models()
    present = set(sa.inspect(session.connection()).get_table_names())
    known: dict[str, Any] = {**Base.metadata.tables, "events": EVENTS}
    return {name: known[name] for name in present if name in known}


def _email_pattern(address: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.+-]){re.escape(address)}(?![\w-]|\.\w)", re.IGNORECASE)


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _user_events(session: Session) -> Iterator[tuple[str, str]]:
    rows = session.execute(sa.select(EVENTS.c.sender_id, EVENTS.c.data).where(EVENTS.c.type_name == "user")
                           .execution_options(yield_per=2000))  # fmt: skip
    yield from ((sender, data) for sender, data in rows)


def _typed_phone_numbers(data: str) -> list[str]:
    try:
        text = str(json.loads(data).get("text") or "")
    except (TypeError, ValueError, AttributeError):
        return []
    return [m for m in DIALLED_NUMBER.findall(text) if sum(c.isdigit() for c in m) >= MIN_PHONE_DIGITS]


def conversations_of(session: Session, selector: Selector) -> list[str]:
    """The ids of every conversation the selector names that anything is stored of, sorted."""
    present = tables(session)
    if selector.kind == "conversation":
        found = set()
        for part in PARTS:
            if part.table in present:
                column = present[part.table].c[part.column]
                if session.execute(sa.select(column).where(column == selector.value).limit(1)).first():
                    found.add(selector.value)
                    break
        return sorted(found)
    handoffs = present.get("handoffs")
    found = set()
    if selector.kind == "email":
        if handoffs is not None:
            found |= set(session.execute(sa.select(handoffs.c.conversation_id)
                                         .where(sa.func.lower(handoffs.c.email) == selector.value.lower())).scalars())
        if "events" in present:
            pattern = _email_pattern(selector.value)
            candidates = session.execute(sa.select(EVENTS.c.sender_id, EVENTS.c.data)
                                         .where(EVENTS.c.data.ilike(_like(selector.value), escape="\\")))
            found |= {sender for sender, data in candidates if pattern.search(data or "")}
        return sorted(found)
    key = phone_key(selector.value)
    if handoffs is not None:
        numbers = session.execute(sa.select(handoffs.c.conversation_id, handoffs.c.phone)
                                  .where(handoffs.c.phone.is_not(None)))  # fmt: skip
        found |= {conversation for conversation, phone in numbers if phone_key(phone) == key}
    if "events" in present:
        found |= {sender for sender, data in _user_events(session)
                  if any(phone_key(number) == key for number in _typed_phone_numbers(data or ""))}  # fmt: skip
    return sorted(found)
