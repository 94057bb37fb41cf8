"""Rasa's SQL tracker store, configured from DATABASE_URL (any SQLAlchemy URL), that keeps recent
conversations in memory between turns.

Rasa's `SQLTrackerStore` reads a conversation's whole session from the database and replays it
into a tracker for every message, and counts the stored events again before each save: together
over a quarter of the Rasa process's time under load, growing with the conversation (issue 13).
This store keeps the tracker it saved, with the id of the last event it wrote. The next turn of
that conversation asks the database one indexed question (the highest event id, and the
revision that a rewrite of stored events records, `bot.db.CONVERSATION_REVISIONS`); when both are
unchanged, it goes on with the kept tracker, otherwise it reads the database as Rasa does. So
another Rasa process (cluster mode), the HTTP API or a privacy rewrite can never leave it working
on a stale conversation.

A kept tracker is handed out once: whoever retrieves it owns it until it is saved again, so a
turn that fails half-way leaves nothing half-updated in memory (the next turn reads the database).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot.config import load_settings
from bot.db import CONVERSATION_REVISIONS, make_engine

logger = logging.getLogger(__name__)

KEPT_CONVERSATIONS = 200  # the most recently saved conversations kept in memory; older ones are read again
READ_RECORDS = 20_000  # what the latest turns read (a version and a count each), to notice a deletion meanwhile


@dataclass(frozen=True)
class Version:
    """What the database holds of one conversation: its last event's id and its rewrite revision."""

    last_event_id: int | None
    revision: int


@dataclass(frozen=True)
class _Kept:
    tracker: DialogueStateTracker
    stored: int  # how many of the tracker's events are in the database
    version: Version


#: actions that delete the conversation they run in (actions/privacy.py): what follows them is all that is stored
ERASING_ACTIONS = frozenset({"action_delete_my_data"})


def _erasing(event: Any) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name in ERASING_ACTIONS


@dataclass(frozen=True)
class _Read:
    """What this store read of a conversation for a turn: the database's version then, and how many events the
    tracker it handed out held."""

    version: Version
    events: int


def _this_turn(events: list[Any]) -> int:
    """Where the latest turn starts: at the visitor's latest message."""
    return next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), 0)


def erased_meanwhile(events: list[Any], read: _Read | None, before: Version) -> bool:
    """Whether the conversation's stored events were deleted (bot/privacy/erase.py) since this store read them: the
    database holds none, but it held some, or counted a rewrite, when the turn began; or this turn ran the deleting
    action."""
    if before.last_event_id is not None:
        return False
    if read is not None and (read.version.last_event_id is not None or before.revision > read.version.revision):
        return True
    return any(map(_erasing, events[_this_turn(events):]))


def after_erasure(events: list[Any], since: int) -> list[Any]:
    """What of a deleted conversation's tracker is stored: from the deleting action on (its confirmation and what
    follows), else what this turn added (the deletion came from outside)."""
    for index in range(len(events) - 1, since - 1, -1):
        if _erasing(events[index]):
            return events[index:]
    return events[since:]


def _commit_without_waiting_for_the_disk(dbapi_connection: Any, _record: Any) -> None:
    """PostgreSQL's synchronous_commit off, for this connection: a commit returns before its WAL is flushed. Every
    turn commits its events; on a shared disk the flush took most of a turn's time (p95 1.2 s at 18 turns/s under
    `make run-cluster`, 0.24 s without it). A crash of the server can lose the last ~0.6 s of commits; a clean restart
    loses nothing, and the action server's writes (handoffs) still wait for the disk."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET synchronous_commit TO off")
    cursor.close()
    dbapi_connection.commit()


class SettingsSQLTrackerStore(SQLTrackerStore):
    """Stores conversations in the database named by DATABASE_URL (an SQLite file by default).

    endpoints.yml names it as `type: bot.rasa_plugins.tracker_store.SettingsSQLTrackerStore`; Rasa builds it
    once at server start, which is when the setting is read.
    """

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        kept_conversations: int = KEPT_CONVERSATIONS,
        **_endpoint_options: Any,
    ) -> None:
        settings = load_settings()
        database_url = settings.database_url
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLTrackerStore takes a complete URL in `host` as it is.
        super().__init__(domain=domain, host=database_url, event_broker=event_broker)
        # Our engine instead of Rasa's: SQLite gets a pool of open connections (Rasa's opens one per
        # query) and the same PRAGMAs (WAL, busy timeout) as the other processes sharing the file.
        # On a database server (cluster mode) each round trip holds Rasa's event loop, so a turn makes few: no test
        # of a pooled connection before use (a dropped one fails the message, which the client sends again, and
        # empties the pool), reads without a transaction, the new events' ids returned by their INSERT.
        self._server = url.get_backend_name() == "postgresql"
        self.engine.dispose()
        self.engine = make_engine(database_url, pre_ping=not self._server)
        if self._server and settings.events_async_commit:
            sa.event.listen(self.engine, "connect", _commit_without_waiting_for_the_disk)
        CONVERSATION_REVISIONS.create(self.engine, checkfirst=True)
        self.sessionmaker = sessionmaker(bind=self.engine)
        reads = make_engine(database_url, pre_ping=False, autocommit=True) if self._server else self.engine
        self._read_session = sessionmaker(bind=reads)
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._lent: dict[str, _Kept] = {}
        self._read: OrderedDict[str, _Read] = OrderedDict()
        self._capacity = kept_conversations

    # One indexed lookup per table; written as text once because building the statement each time cost more
    # than running it (py-spy).
    _VERSION = sa.text(
        "SELECT (SELECT max(id) FROM events WHERE sender_id = :sender_id),"
        " (SELECT revision FROM conversation_revisions WHERE sender_id = :sender_id)"
    )

    def _version(self, connection: Any, sender_id: str) -> Version:
        last_event_id, revision = connection.execute(self._VERSION, {"sender_id": sender_id}).one()
        return Version(last_event_id, revision or 0)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of the conversation: the kept tracker if the database holds nothing newer."""
        kept = self._kept.pop(sender_id, None)
        self._lent.pop(sender_id, None)
        with self._read_session() as session:
            version = self._version(session, sender_id)
            if kept is not None and kept.version == version:
                self._lend(sender_id, kept)
                self._note_read(sender_id, _Read(version, len(kept.tracker.events)))
                return kept.tracker
            # read after the version: a turn stored in between makes the kept version older than what was read,
            # so the next turn reads again rather than going on with a tracker that misses events
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            rows = query.with_entities(self.SQLEvent.data).all()
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for (data,) in rows], self.domain.slots)
        self._note_read(sender_id, _Read(version, len(tracker.events)))
        if len(tracker.events) == len(rows):  # not cut by a maximum event history
            self._lend(sender_id, _Kept(tracker, len(rows), version))
        return tracker

    def _note_read(self, sender_id: str, read: _Read) -> None:
        """Remembers, for many more conversations than are kept, what a turn read: a deletion while it runs is
        noticed even when its tracker is no longer lent (bot/privacy/erase.py)."""
        self._read[sender_id] = read
        self._read.move_to_end(sender_id)
        while len(self._read) > READ_RECORDS:
            self._read.popitem(last=False)

    def _lend(self, sender_id: str, kept: _Kept) -> None:
        """Remembers what a tracker handed out holds; a tracker retrieved but never saved is forgotten in time."""
        self._lent[sender_id] = kept
        while len(self._lent) > self._capacity:
            del self._lent[next(iter(self._lent))]

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Appends the events the database does not have yet, and keeps the tracker for the next turn."""
        sender_id = tracker.sender_id
        # handed out by retrieve, or kept after being stored as a new conversation and then changed by its caller
        lent = self._lent.pop(sender_id, None) or self._kept.pop(sender_id, None)
        read = self._read.pop(sender_id, None)
        await self.stream_events(tracker)  # with an event broker, this retrieves the stored tracker
        self._lent.pop(sender_id, None)
        with self.engine.begin() as connection:
            before = self._version(connection, sender_id)
            events = list(tracker.events) if before.last_event_id is None else []  # (a new or deleted conversation)
            if events and erased_meanwhile(events, read, before):
                # deleted while this turn ran (the visitor asked in the chat, or the privacy CLI or API): what it
                # held before must not come back from memory
                new_events = after_erasure(events, read.events if read is not None else _this_turn(events))
                in_step = False
            elif lent is not None and lent.tracker is tracker and lent.version == before:
                new_events = list(itertools.islice(tracker.events, lent.stored, None))
                in_step = True
            else:  # not handed out by this store, or the database changed meanwhile: count as Rasa does
                with self.session_scope() as session:
                    new_events = list(self._additional_events(session, tracker))
                in_step = before.last_event_id is None  # a new conversation, now stored whole
            after = self._insert(connection, sender_id, new_events, before)
        logger.debug("Tracker with sender_id '%s' stored to database", sender_id)
        # A new session: the database returns only its events, this tracker still has the old ones too.
        if in_step and not any(isinstance(event, SessionStarted) for event in new_events):
            self._keep(sender_id, _Kept(tracker, len(tracker.events), after))

    def _insert(self, connection: Any, sender_id: str, events: list[Any], before: Version) -> Version:
        """Appends the events; returns what the database then holds of the conversation."""
        if not events:
            return before
        rows = [self._row(sender_id, e) for e in events]
        table = self.SQLEvent.__table__
        if self._server:  # one statement that returns the new ids
            ids = connection.execute(table.insert().values(rows).returning(table.c.id)).scalars().all()
            return Version(max(ids), before.revision)
        connection.execute(table.insert(), rows)
        return self._version(connection, sender_id)

    @staticmethod
    def _row(sender_id: str, event: Any) -> dict[str, Any]:
        data = event.as_dict()
        return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)}  # fmt: skip

    def _keep(self, sender_id: str, kept: _Kept) -> None:
        self._kept[sender_id] = kept
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._capacity:
            self._kept.popitem(last=False)


def install() -> None:
    """No silent fallback to memory: Rasa wraps every tracker store in a `FailSafeTrackerStore` that, when the
    database cannot be reached, logs and goes on with an in-memory store. The visitor then gets answers that are
    never stored, and another replica, or this one once the database is back, knows nothing of them (seen with
    PostgreSQL restarted under load: 120 answers, a third of them lost). Here an error of the tracker store
    reaches the channel, which answers a clear error (bot/rasa_plugins/channels.py `guarded`); the visitor's
    widget sends the message again and nothing is lost. Called once when our Rasa process starts."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    async def retrieve(self: Any, sender_id: str) -> DialogueStateTracker | None:
        return await self._tracker_store.retrieve(sender_id)  # type: ignore[no-any-return]

    async def retrieve_full_tracker(self: Any, sender_id: str) -> DialogueStateTracker | None:
        return await self._tracker_store.retrieve_full_tracker(sender_id)  # type: ignore[no-any-return]

    async def save(self: Any, tracker: DialogueStateTracker) -> None:
        await self._tracker_store.save(tracker)

    async def keys(self: Any) -> Any:
        return await self._tracker_store.keys()

    FailSafeTrackerStore.retrieve = retrieve  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker  # type: ignore[method-assign]
    FailSafeTrackerStore.save = save  # type: ignore[method-assign]
    FailSafeTrackerStore.keys = keys  # type: ignore[method-assign]
