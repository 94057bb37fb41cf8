"""Live chat with a salesperson: the queue, claiming, and what the conversation records.

A business visitor whose handoff is stored is offered "talk to someone now" while a salesperson who speaks their
language is in business hours (data/sales/team.yml) and has the live queue open in the inbox (`sales_presence`).
The visitor's wish becomes a waiting `live_chats` row and the bot pauses the conversation (Rasa's
`ConversationPaused`); a salesperson claims it in the inbox, their messages go into the conversation as the bot's
and reach the widget, the visitor's messages are stored as always and shown in the inbox; on release the bot resumes
and the slot `live_chat_with` says who talked to the visitor. If nobody claims it within LIVE_CLAIM_TIMEOUT_S, the
worker apologises in the chat and asks for a time to call back instead.

The state lives in the database, so any web app process and the worker see the same queue; the conversation's events
are written through Rasa's HTTP API (`bot/sales/rasa_api.py`) so the tracker store keeps them and the widget shows
them. Plain functions on a session factory; the events are built here, sent by the caller.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot.db import as_utc
from bot.messages import Messages
from bot.privacy.records import EVENTS
from bot.sales.models import HandoffActivityRow, HandoffRow, LiveChatRow, SalesPresenceRow
from bot.sales.rasa_api import RasaConversations
from bot.sales.routing import Salesperson, Team, candidates
from bot.text import markdown_literal

#: the name a salesperson's message starts with in the widget ("**Lena Vogt:** "), which the inbox needs not repeat
_SIGNED = re.compile(r"^\*\*[^*]+:\*\* ")


@dataclass(frozen=True)
class LiveChat:
    id: int
    handoff_id: int
    conversation_id: str
    language: str
    state: str  #: one of bot.sales.models.LIVE_STATES
    requested_at: dt.datetime
    claimed_at: dt.datetime | None
    salesperson: str | None
    ended_at: dt.datetime | None
    messages: int
    # from the handoff, for the queue
    name: str | None = None
    company: str | None = None
    segment: str | None = None
    phase: str | None = None
    persona: str | None = None
    callback_time: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {key: value.isoformat() if isinstance(value, dt.datetime) else value
                for key, value in self.__dict__.items()}  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One message of the conversation as the inbox shows it."""

    event_id: int
    who: str  #: visitor, bot or salesperson
    text: str
    at: float  #: Unix time


def in_hours(person: Salesperson, now: dt.datetime) -> bool:
    local = now.astimezone(ZoneInfo(person.time_zone))
    today = person.hours.get(local.weekday())
    return bool(today and today[0] <= local.time() < today[1])


def who_is_live(team: Team, present: Iterable[str], now: dt.datetime, facts: Mapping[str, str | None]
                ) -> Salesperson | None:  # fmt: skip
    """Someone the routing would give this visitor (their language first), in business hours now and with the queue
    open; None if nobody is, and the chat offers only a call back."""
    there = set(present)
    for person in candidates(team, {**facts, "kind": "sales"}):
        if person.id in there and in_hours(person, now):
            return person
    for person in team.salespeople.values():  # anyone speaking the language, if the routed ones are away
        if person.id in there and facts.get("language") in person.languages and in_hours(person, now):
            return person
    return None


def mark_present(session_factory: sessionmaker, salesperson: str, now: dt.datetime) -> None:
    with session_factory() as session, session.begin():
        row = session.get(SalesPresenceRow, salesperson)
        if row is None:
            session.add(SalesPresenceRow(salesperson=salesperson, seen_at=now))
        else:
            row.seen_at = now


def present(session_factory: sessionmaker, now: dt.datetime, within_s: float) -> set[str]:
    """The salespeople whose queue page checked in within the last `within_s` seconds."""
    since = now - dt.timedelta(seconds=within_s)
    with session_factory() as session:
        rows = session.execute(sa.select(SalesPresenceRow.salesperson).where(SalesPresenceRow.seen_at >= since))
        return {salesperson for (salesperson,) in rows}


def _chat(row: LiveChatRow, handoff: HandoffRow | None = None) -> LiveChat:
    extra = {}
    if handoff is not None:
        extra = {key: getattr(handoff, key) for key in ("name", "company", "segment", "phase", "persona",
                                                        "callback_time")}  # fmt: skip
    return LiveChat(id=row.id, handoff_id=row.handoff_id, conversation_id=row.conversation_id, language=row.language,
                    state=row.state, requested_at=as_utc(row.requested_at), claimed_at=as_utc(row.claimed_at),
                    salesperson=row.salesperson, ended_at=as_utc(row.ended_at), messages=row.messages,
                    **extra)  # fmt: skip


def request_live(session_factory: sessionmaker, conversation_id: str, handoff_id: int, language: str,
                 now: dt.datetime) -> LiveChat:  # fmt: skip
    """A waiting chat for this conversation; the one already waiting or active, if there is one."""
    with session_factory() as session, session.begin():
        row = session.execute(sa.select(LiveChatRow).where(
            LiveChatRow.conversation_id == conversation_id, LiveChatRow.state.in_(("waiting", "active")))
        ).scalars().first()  # fmt: skip
        if row is None:
            row = LiveChatRow(handoff_id=handoff_id, conversation_id=conversation_id, language=language,
                              state="waiting", requested_at=now, messages=0)  # fmt: skip
            session.add(row)
            session.flush()
        return _chat(row)


def get_chat(session_factory: sessionmaker, live_id: int) -> LiveChat | None:
    with session_factory() as session:
        row = session.get(LiveChatRow, live_id)
        return None if row is None else _chat(row, session.get(HandoffRow, row.handoff_id))


def open_chats(session_factory: sessionmaker) -> list[LiveChat]:
    """Waiting chats (longest waiting first), then active ones."""
    with session_factory() as session:
        rows = session.execute(
            sa.select(LiveChatRow, HandoffRow).join(HandoffRow, HandoffRow.id == LiveChatRow.handoff_id)
            .where(LiveChatRow.state.in_(("waiting", "active"))).order_by(LiveChatRow.requested_at, LiveChatRow.id)
        ).all()  # fmt: skip
        chats = [_chat(row, handoff) for row, handoff in rows]
    return sorted(chats, key=lambda chat: chat.state != "waiting")


def _record(session: Any, handoff_id: int, author: str, action: str, detail: str, now: dt.datetime) -> None:
    session.add(HandoffActivityRow(handoff_id=handoff_id, at=now, author=author, action=action, detail=detail))


def claim(session_factory: sessionmaker, live_id: int, salesperson: str, author: str, now: dt.datetime
          ) -> LiveChat | None:  # fmt: skip
    """The waiting chat, now `salesperson`'s; None if it is not waiting (someone else was faster, or it timed out).
    A new handoff is claimed for them as in the inbox (`claim` in its activity); a later status is never lowered."""
    with session_factory() as session, session.begin():
        taken = session.execute(
            sa.update(LiveChatRow).where(LiveChatRow.id == live_id, LiveChatRow.state == "waiting")
            .values(state="active", claimed_at=now, salesperson=salesperson)
        ).rowcount  # fmt: skip
        if taken != 1:
            return None
        row = session.get(LiveChatRow, live_id)
        handoff = session.get(HandoffRow, row.handoff_id)
        if handoff.status == "new":
            _record(session, handoff.id, author, "claim", f"new → claimed, {handoff.assignee or '–'} → {salesperson}",
                    now)  # fmt: skip
            handoff.status, handoff.assignee, handoff.updated_at = "claimed", salesperson, now
        _record(session, row.handoff_id, author, "live", f"Live-Chat übernommen ({salesperson})", now)
        return _chat(row, handoff)


def count_message(session_factory: sessionmaker, live_id: int) -> None:
    with session_factory() as session, session.begin():
        session.execute(sa.update(LiveChatRow).where(LiveChatRow.id == live_id)
                        .values(messages=LiveChatRow.messages + 1))  # fmt: skip


def start_ending(session_factory: sessionmaker, live_id: int, salesperson: str | None = None) -> LiveChat | None:
    """Marks an active chat (of `salesperson`, if given) as ending, so that only one caller ends it: the salesperson's
    button pressed twice, two tabs, or the worker at the same moment. None if it is not active (any more)."""
    with session_factory() as session, session.begin():
        where = [LiveChatRow.id == live_id, LiveChatRow.state == "active"]
        if salesperson is not None:
            where.append(LiveChatRow.salesperson == salesperson)
        if session.execute(sa.update(LiveChatRow).where(*where).values(state="ending")).rowcount != 1:
            return None
        return _chat(session.get(LiveChatRow, live_id))


def keep_active(session_factory: sessionmaker, live_id: int) -> None:
    """Rasa refused the end: the chat stays the salesperson's, ending can be tried again."""
    with session_factory() as session, session.begin():
        session.execute(sa.update(LiveChatRow).where(LiveChatRow.id == live_id, LiveChatRow.state == "ending")
                        .values(state="active"))  # fmt: skip


def end(session_factory: sessionmaker, live_id: int, author: str, now: dt.datetime) -> LiveChat | None:
    """The chat being ended is over; a claimed handoff counts as contacted (a later status stays). None if it was
    not being ended."""
    with session_factory() as session, session.begin():
        ended = session.execute(
            sa.update(LiveChatRow).where(LiveChatRow.id == live_id, LiveChatRow.state.in_(("active", "ending")))
            .values(state="ended", ended_at=now)
        ).rowcount  # fmt: skip
        if ended != 1:
            return None
        row = session.get(LiveChatRow, live_id)
        handoff = session.get(HandoffRow, row.handoff_id)
        if handoff.status in ("new", "claimed"):
            _record(session, handoff.id, author, "status", f"{handoff.status} → contacted", now)
            handoff.status, handoff.updated_at = "contacted", now
        _record(session, row.handoff_id, author, "live", f"Live-Chat beendet, {row.messages} Nachrichten", now)
        return _chat(row, handoff)


def paused(session_factory: sessionmaker, conversation_id: str) -> bool:
    """Whether the bot is paused in this conversation: its latest pause or resume event is a pause."""
    with session_factory() as session:
        kind = session.execute(
            sa.select(EVENTS.c.type_name).where(EVENTS.c.sender_id == conversation_id,
                                                EVENTS.c.type_name.in_(("pause", "resume")))
            .order_by(EVENTS.c.id.desc()).limit(1)
        ).scalar()  # fmt: skip
    return kind == "pause"


def sent_already(session_factory: sessionmaker, conversation_id: str, message_id: str) -> bool:
    """Whether a salesperson's message with this id is in the conversation (a retry after a timeout that was
    none)."""
    with session_factory() as session:
        found = session.execute(
            sa.select(EVENTS.c.id).where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name == "bot",
                                         EVENTS.c.data.like(f'%"message_id": "{message_id}"%')).limit(1)
        ).first()  # fmt: skip
    return found is not None


def expire(session_factory: sessionmaker, now: dt.datetime, timeout_s: float) -> list[LiveChat]:
    """Chats nobody claimed in time become missed; returns every missed chat the visitor was not yet told about
    (`ended_at` empty), so a failed message is sent again on the next call."""
    with session_factory() as session, session.begin():
        session.execute(
            sa.update(LiveChatRow)
            .where(LiveChatRow.state == "waiting", LiveChatRow.requested_at <= now - dt.timedelta(seconds=timeout_s))
            .values(state="missed")
        )  # fmt: skip
        rows = session.execute(
            sa.select(LiveChatRow, HandoffRow).join(HandoffRow, HandoffRow.id == LiveChatRow.handoff_id)
            .where(LiveChatRow.state == "missed", LiveChatRow.ended_at.is_(None))
        ).all()  # fmt: skip
        return [_chat(row, handoff) for row, handoff in rows]


def drop(session_factory: sessionmaker, live_id: int, now: dt.datetime) -> None:
    """A waiting chat whose conversation the bot never paused (its answer got lost): nobody waits for it."""
    with session_factory() as session, session.begin():
        session.execute(sa.update(LiveChatRow).where(LiveChatRow.id == live_id, LiveChatRow.state == "waiting")
                        .values(state="missed", ended_at=now))  # fmt: skip


def told(session_factory: sessionmaker, live_id: int, now: dt.datetime) -> None:
    """The visitor of a missed chat got the apology."""
    with session_factory() as session, session.begin():
        row = session.get(LiveChatRow, live_id)
        if row is not None and row.ended_at is None:
            row.ended_at = now
            _record(session, row.handoff_id, "bot", "live", "Live-Chat: niemand rechtzeitig frei, Rückruf angeboten",
                    now)  # fmt: skip


def transcript(session_factory: sessionmaker, conversation_id: str, after: int = 0, limit: int = 500) -> list[Line]:
    """The conversation's messages after event id `after`: the visitor's, the bot's and a salesperson's."""
    with session_factory() as session:
        rows = session.execute(
            sa.select(EVENTS.c.id, EVENTS.c.type_name, EVENTS.c.data)
            .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.id > after,
                   EVENTS.c.type_name.in_(("user", "bot"))).order_by(EVENTS.c.id).limit(limit)
        ).all()  # fmt: skip
    lines = []
    for event_id, kind, data in rows:
        event = json.loads(data)
        text, who = event.get("text") or "", "visitor" if kind == "user" else "bot"
        if kind == "user" and text.startswith("/"):  # a button: what it chose; a page view is no message
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
            text = "" if intent == "page_view" else f"[{intent or text}]"
        if kind == "bot" and (event.get("metadata") or {}).get("live_chat"):
            who, text = "salesperson", _SIGNED.sub("", text, count=1)
        if text:
            lines.append(Line(event_id, who, text, float(event.get("timestamp") or 0)))
    return lines


# --- what the conversation records (Rasa events, sent through its HTTP API) -----------------------------------


def said(text: str, live_id: int | None = None, salesperson: str | None = None) -> dict[str, Any]:
    """A message to the visitor as a bot event; a salesperson's carries the chat and who wrote it."""
    event: dict[str, Any] = {"event": "bot", "text": text}
    if live_id is not None:
        event["metadata"] = {"live_chat": live_id, "salesperson": salesperson}
    return event


def resumed(texts: Iterable[str], slots: Mapping[str, Any], loop: str | None = None,
            requested_slot: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The bot takes over again: what it says, the slots it learned, a form to go on with, then it listens."""
    events: list[dict[str, Any]] = [{"event": "resume"}, *(said(text) for text in texts)]
    events += [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
    if loop:
        events += [{"event": "active_loop", "name": loop}, {"event": "slot", "name": "requested_slot",
                                                            "value": requested_slot}]  # fmt: skip
    events.append({"event": "action", "name": "action_listen"})
    return events


def left_alone(session_factory: sessionmaker, now: dt.datetime, presence_s: float) -> list[LiveChat]:
    """Active chats whose salesperson has had no live page open for `presence_s` seconds (a closed laptop, a lost
    connection): the visitor must not wait in silence."""
    since = now - dt.timedelta(seconds=presence_s)
    with session_factory() as session:
        there = sa.select(SalesPresenceRow.salesperson).where(SalesPresenceRow.seen_at >= since)
        rows = session.execute(
            sa.select(LiveChatRow).where(LiveChatRow.state == "active", LiveChatRow.claimed_at <= since,
                                         LiveChatRow.salesperson.not_in(there))
        ).scalars().all()  # fmt: skip
        return [_chat(row) for row in rows]


def follow_up(session_factory: sessionmaker, rasa: RasaConversations, messages: Messages, team: Team,
              now: dt.datetime, timeout_s: float, presence_s: float, skip: Collection[int] = ()
              ) -> dict[int, str]:  # fmt: skip
    """What the worker does each round. Chats nobody took in time: the bot apologises, resumes and asks for a time
    to call back (unless the visitor gave one already). Chats whose salesperson left: the bot says the chat ended and
    resumes. Returns why a visitor could not be told, by chat id; those are tried again in a later round (`skip`:
    the ones to leave alone this round)."""
    failures = {}
    for chat in expire(session_factory, now, timeout_s):
        if chat.id in skip:
            continue
        if not paused(session_factory, chat.conversation_id):  # the bot never paused (its answer got lost): no one
            told(session_factory, chat.id, now)  # is waiting, and an apology would come out of nowhere
            continue
        texts = [messages.render("live_missed", chat.language)]
        loop = None
        if not chat.callback_time:
            texts.append(messages.render("lead_ask_callback", chat.language))
            loop = "callback_form"
        sent = rasa.append(chat.conversation_id, resumed(texts, {"live_state": None}, loop, "lead_callback_time"))
        if sent.ok:
            told(session_factory, chat.id, now)
        else:
            failures[chat.id] = sent.reason
    for chat in left_alone(session_factory, now, presence_s):
        if chat.id in skip or start_ending(session_factory, chat.id) is None:
            continue
        name = team.people[chat.salesperson].name if chat.salesperson in team.people else str(chat.salesperson)
        text = messages.render("live_ended", chat.language, salesperson=markdown_literal(name))
        sent = rasa.append(chat.conversation_id, resumed([text], {"live_state": None, "live_chat_with": name}))
        if sent.ok:
            end(session_factory, chat.id, "bot", now)
        else:
            keep_active(session_factory, chat.id)
            failures[chat.id] = sent.reason
    return failures
