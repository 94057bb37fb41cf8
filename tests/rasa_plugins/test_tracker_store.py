"""The tracker store keeps recent conversations in memory, and never works on a stale one
(bot/rasa_plugins/tracker_store.py): real Rasa trackers, real SQLite files and a real PostgreSQL server (whose
reads and inserts take another path), and a second store on the same database standing in for a second Rasa
process."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db import create_tables, make_engine, make_session_factory
from bot.privacy.erase import erase
from bot.privacy.forget import forget_contact_details
from bot.privacy.records import Selector
from bot.rasa_plugins.tracker_store import SettingsSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def url(database_url: str) -> str:
    return database_url


def turn(store: SettingsSQLTrackerStore, sender: str, text: str, *more: Event) -> DialogueStateTracker:
    """One visitor message as Rasa's processor handles it: fetch, update, save."""

    async def run() -> DialogueStateTracker:
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
        for event in (ActionExecuted("utter_greet"), BotUttered(f"reply to {text}"), *more,
                      ActionExecuted("action_listen")):  # fmt: skip
            tracker.update(event)
        await store.save(tracker)
        return tracker

    return asyncio.run(run())


def stored_events(url: str, sender: str) -> list[dict]:
    """What Rasa's own SQL tracker store reads from the database."""
    tracker = asyncio.run(SQLTrackerStore(Domain.empty(), host=url).retrieve(sender))
    return [event.as_dict() for event in tracker.events] if tracker else []


def user_texts(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e["event"] == "user"]


def test_every_event_is_stored_once_and_in_order(url: str, domain: Domain) -> None:
    store = SettingsSQLTrackerStore(domain=domain)
    for text in ("hallo", "was kostet das?", "und jährlich?", "danke"):
        tracker = turn(store, "anna", text)

    assert stored_events(url, "anna") == [event.as_dict() for event in tracker.events]
    assert user_texts(stored_events(url, "anna")) == ["hallo", "was kostet das?", "und jährlich?", "danke"]


def test_the_next_turn_goes_on_with_the_kept_conversation(url: str, domain: Domain) -> None:
    store = SettingsSQLTrackerStore(domain=domain)
    turn(store, "anna", "hallo")
    saved = turn(store, "anna", "was kostet das?")

    assert asyncio.run(store.retrieve("anna")) is saved, "no second read of the database"


def test_a_turn_handled_by_another_rasa_process_is_not_missed(url: str, domain: Domain) -> None:
    first, second = SettingsSQLTrackerStore(domain=domain), SettingsSQLTrackerStore(domain=domain)
    turn(first, "anna", "hallo")
    turn(first, "anna", "wir haben 3 Standorte")
    turn(second, "anna", "was kostet das?")
    tracker = turn(first, "anna", "und jährlich?")

    expected = ["hallo", "wir haben 3 Standorte", "was kostet das?", "und jährlich?"]
    assert user_texts([e.as_dict() for e in tracker.events]) == expected
    assert user_texts(stored_events(url, "anna")) == expected


def test_contact_details_forgotten_in_the_database_are_forgotten_in_memory(url: str, domain: Domain) -> None:
    store = SettingsSQLTrackerStore(domain=domain)
    turn(store, "anna", "Anna Berger, anna@berger.de", SlotSet("lead_contact", "anna@berger.de"))
    turn(store, "anna", "nein")

    forget_contact_details(make_session_factory(make_engine(url)), "anna", ["Anna Berger", "anna@berger.de"], "de")
    tracker = turn(store, "anna", "was kostet das?")

    kept = json.dumps([event.as_dict() for event in tracker.events], ensure_ascii=False)
    assert "anna@berger.de" not in kept and "Anna Berger" not in kept
    assert "[gelöscht], [gelöscht]" in kept


def delete_conversation(url: str, sender: str, actor: str) -> None:
    """As the privacy CLI, API or chat action does (bot/privacy/erase.py)."""
    engine = make_engine(url)
    create_tables(engine)
    erase(make_session_factory(engine), Selector.of("conversation", sender), actor, NOW)


def test_a_conversation_deleted_between_turns_is_not_continued_from_memory(url: str, domain: Domain) -> None:
    store = SettingsSQLTrackerStore(domain=domain)
    turn(store, "anna", "Anna Berger, anna@berger.de", SlotSet("lead_contact", "anna@berger.de"))

    delete_conversation(url, "anna", "cli:test")
    tracker = turn(store, "anna", "hallo?")

    assert user_texts([e.as_dict() for e in tracker.events]) == ["hallo?"] == user_texts(stored_events(url, "anna"))
    assert tracker.get_slot("lead_contact") is None


def test_a_conversation_deleted_while_its_turn_runs_is_not_written_back(url: str, domain: Domain) -> None:
    """The privacy CLI or API deletes a conversation while Rasa handles a message of it: what Rasa read at the
    start of the turn must not be saved again with the turn's new events."""
    store = SettingsSQLTrackerStore(domain=domain)
    turn(store, "anna", "Anna Berger, anna@berger.de")
    turn(store, "anna", "und was kostet das?")

    async def turn_during_deletion() -> None:
        tracker = await store.get_or_create_tracker("anna")
        tracker.update(UserUttered("noch eine Frage"))
        delete_conversation(url, "anna", "api:admin")
        tracker.update(BotUttered("gern"))
        await store.save(tracker)

    asyncio.run(turn_during_deletion())

    stored = stored_events(url, "anna")
    assert user_texts(stored) == ["noch eine Frage"] and "anna@berger.de" not in json.dumps(stored)


def test_a_deletion_is_noticed_even_when_many_other_turns_run_at_once(url: str, domain: Domain) -> None:
    """More conversations are handed out than the store keeps (kept_conversations=2): a deletion during the turn of
    the first is still noticed at its save."""
    store = SettingsSQLTrackerStore(domain=domain, kept_conversations=2)
    for sender in ("anna", "ben", "cem"):
        turn(store, sender, f"Ich bin {sender}, {sender}@example.de")

    async def busy() -> None:
        anna = await store.get_or_create_tracker("anna")
        for sender in ("ben", "cem", "dora"):  # retrieved, not saved yet
            await store.get_or_create_tracker(sender)
        anna.update(UserUttered("und der Preis?"))
        delete_conversation(url, "anna", "api:admin")
        await store.save(anna)

    asyncio.run(busy())
    stored = stored_events(url, "anna")
    assert user_texts(stored) == ["und der Preis?"] and "anna@example.de" not in json.dumps(stored)


def test_deleting_in_the_chat_keeps_only_the_confirmation(url: str, domain: Domain) -> None:
    """actions/privacy.py deletes the conversation it runs in; Rasa then saves its tracker, which still holds
    everything: only the deleting action and what follows it are stored, and the next turn starts from there."""
    store = SettingsSQLTrackerStore(domain=domain)
    turn(store, "anna", "Anna Berger, anna@berger.de", SlotSet("lead_contact", "anna@berger.de"))
    turn(store, "anna", "Lösche meine Daten")

    async def confirmed() -> None:
        tracker = await store.get_or_create_tracker("anna")
        tracker.update(UserUttered("ja", {"name": "affirm", "confidence": 1.0}))
        delete_conversation(url, "anna", "chat")
        for event in (ActionExecuted("action_delete_my_data"), BotUttered("Erledigt: gelöscht."), AllSlotsReset(),
                      SlotSet("language", "de"), ActionExecuted("action_listen")):  # fmt: skip
            tracker.update(event)
        await store.save(tracker)

    asyncio.run(confirmed())
    stored = stored_events(url, "anna")
    assert [e["event"] for e in stored] == ["action", "bot", "reset_slots", "slot", "action"]
    assert "anna@berger.de" not in json.dumps(stored)
    tracker = turn(store, "anna", "danke")
    assert user_texts([e.as_dict() for e in tracker.events]) == ["danke"]
    assert tracker.get_slot("lead_contact") is None


def test_a_turn_that_fails_before_it_is_saved_leaves_nothing_behind(url: str, domain: Domain) -> None:
    store = SettingsSQLTrackerStore(domain=domain)
    turn(store, "anna", "hallo")
    half_done = asyncio.run(store.retrieve("anna"))
    half_done.update(UserUttered("never answered"))  # the turn fails here: no save

    tracker = turn(store, "anna", "noch da?")

    assert user_texts([e.as_dict() for e in tracker.events]) == ["hallo", "noch da?"]
    assert user_texts(stored_events(url, "anna")) == ["hallo", "noch da?"]


def test_a_new_session_starts_without_the_old_one(url: str, domain: Domain) -> None:
    store = SettingsSQLTrackerStore(domain=domain)
    turn(store, "anna", "hallo")

    async def back_after_the_session_expired() -> None:  # Rasa's processor starts a session before the message
        tracker = await store.retrieve("anna")
        for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                      UserUttered("da bin ich wieder"), ActionExecuted("action_listen")):  # fmt: skip
            tracker.update(event)
        await store.save(tracker)

    asyncio.run(back_after_the_session_expired())
    tracker = turn(store, "anna", "was kostet das?")

    assert user_texts([e.as_dict() for e in tracker.events]) == ["da bin ich wieder", "was kostet das?"]
    assert user_texts(stored_events(url, "anna")) == ["da bin ich wieder", "was kostet das?"]


def test_only_the_most_recent_conversations_are_kept(url: str, domain: Domain) -> None:
    store = SettingsSQLTrackerStore(domain=domain, kept_conversations=2)
    first = turn(store, "anna", "hallo")
    turn(store, "ben", "hallo")
    turn(store, "cem", "hallo")

    again = asyncio.run(store.retrieve("anna"))
    assert again is not first and user_texts([e.as_dict() for e in again.events]) == ["hallo"]


def test_trackers_retrieved_but_never_saved_are_not_held_forever(url: str, domain: Domain) -> None:
    store = SettingsSQLTrackerStore(domain=domain, kept_conversations=2)
    for sender in ("anna", "ben", "cem", "dora"):
        turn(store, sender, "hallo")
        asyncio.run(store.retrieve(sender))  # read, say for a report, and never saved

    assert len(store._lent) <= 2 and len(store._kept) <= 2
    assert user_texts([e.as_dict() for e in turn(store, "anna", "noch da?").events]) == ["hallo", "noch da?"]
