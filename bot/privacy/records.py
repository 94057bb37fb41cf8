"""What a data-rights request selects, and where a conversation's data lies.

A request names a conversation (its id, the widget's session id), an e-mail address or a phone number. An address
or number selects the conversations whose visitor gave it as their contact: in a handoff, or in the lead form's
contact slot (before consent, or without it). Conversations where it only occurs in a message (a colleague's
address typed by someone else, the bot's own addresses) are listed by id for the operator, never exported or deleted
on their own (`find`). Addresses match without regard to case, in the decoded text of every stored event; phone
numbers by their international form, so "+49 171 2345678", "0049 171 2345678", "+49 (0)171 2345678" and
"0171 / 234 56 78" are one number (a number without country code may be German, Austrian or Swiss).

`PARTS` lists every table that holds something of a conversation, by the column that names it; `CHILDREN` the rows
that hang off those (a handoff's notes, activity, deliveries, live chats and meetings; the credits of a referral code).
Tables a database does not have (Rasa's `events` before Rasa ran) are skipped.
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
MIN_PHONE_DIGITS = 6
#: the countries a number written without one (0171 …) may be from: the DACH market
HOME_COUNTRIES = ("49", "43", "41")


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
                 ("handoff_outbox", "handoff_id", "id"), ("live_chats", "handoff_id", "id"),
                 ("meetings", "handoff_id", "id")),
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
        if kind == "phone" and not phone_keys(value):
            raise SelectorError(f"a phone number needs at least {MIN_PHONE_DIGITS} digits")
        return cls(kind, value)


def phone_keys(number: str) -> frozenset[str]:
    """The international forms a phone number may stand for, as digits: "+49 171 2345678", "0049 171 2345678" and
    "+49 (0)171 2345678" give {"491712345678"}; "0171 2345678" gives the same in each of HOME_COUNTRIES (Germany,
    Austria, Switzerland). Two numbers are the same when their forms meet. Empty for fewer than six digits."""
    text = number.strip().replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return frozenset()
    if text.startswith("+"):
        return frozenset({digits})
    if digits.startswith("00"):
        return frozenset({digits[2:]})
    if digits.startswith("0"):
        return frozenset(country + digits[1:] for country in HOME_COUNTRIES)
    return frozenset({digits})


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


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a decoded JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _decoded(data: str | None) -> Any:
    try:
        return json.loads(data or "")
    except (TypeError, ValueError):
        return data or ""


def _phone_numbers(text: str) -> list[str]:
    return [m for m in DIALLED_NUMBER.findall(text) if sum(c.isdigit() for c in m) >= MIN_PHONE_DIGITS]


@dataclass(frozen=True)
class Matches:
    """The conversations an e-mail address or phone number belongs to (`own`: given as the visitor's contact, in a
    handoff or the lead form), and those where it only occurs in a message (`mentioned`: a colleague's address typed
    by someone else, say). Export and deletion take only `own`; `mentioned` is listed, by id, for the operator to
    check and, if they are the person's, to handle by conversation id."""

    own: list[str]
    mentioned: list[str]


def _owned_by_contact(event: Any, matches: Any) -> bool:
    """A lead form's contact slot that holds the address or number: the visitor gave it as their own."""
    return isinstance(event, dict) and event.get("event") == "slot" and event.get("name") == "lead_contact" and (
        matches(str(event.get("value") or "")))  # fmt: skip


def find(session: Session, selector: Selector) -> Matches:
    """Which stored conversations the selector names."""
    present = tables(session)
    if selector.kind == "conversation":
        for part in PARTS:  # (a conversation's rewrite counter alone is not something stored about it)
            if part.table in present and part.table != "conversation_revisions":
                column = present[part.table].c[part.column]
                if session.execute(sa.select(column).where(column == selector.value).limit(1)).first():
                    return Matches([selector.value], [])
        return Matches([], [])
    handoffs = present.get("handoffs")
    own: set[str] = set()
    mentioned: set[str] = set()
    if selector.kind == "email":
        pattern = _email_pattern(selector.value)

        def matches(text: str) -> bool:
            return bool(pattern.search(text))

        if handoffs is not None:
            own |= set(session.execute(sa.select(handoffs.c.conversation_id)
                                       .where(sa.func.lower(handoffs.c.email) == selector.value.lower())).scalars())
        # the stored JSON escapes quotes, no-break spaces and line breaks: the address is looked for in the decoded
        # strings of every event whose text holds it
        candidates = sa.select(EVENTS.c.sender_id, EVENTS.c.data).where(
            EVENTS.c.data.ilike(_like(selector.value), escape="\\"))  # fmt: skip
    else:
        keys = phone_keys(selector.value)

        def matches(text: str) -> bool:
            return any(keys & phone_keys(number) for number in _phone_numbers(text))

        if handoffs is not None:
            numbers = session.execute(sa.select(handoffs.c.conversation_id, handoffs.c.phone)
                                      .where(handoffs.c.phone.is_not(None)))  # fmt: skip
            own |= {conversation for conversation, phone in numbers if keys & phone_keys(phone)}
        # a number is written in many ways: every visitor message is read, and the lead form's contact slots
        candidates = sa.select(EVENTS.c.sender_id, EVENTS.c.data).where(
            (EVENTS.c.type_name == "user") | ((EVENTS.c.type_name == "slot") & EVENTS.c.data.like("%lead_contact%")))
    if "events" in present:
        for sender, data in session.execute(candidates.execution_options(yield_per=2000)):
            if sender in own:
                continue
            event = _decoded(data)
            if _owned_by_contact(event, matches):
                own.add(sender)
            elif any(matches(text) for text in _strings(event)):
                mentioned.add(sender)
    return Matches(sorted(own), sorted(mentioned - own))
