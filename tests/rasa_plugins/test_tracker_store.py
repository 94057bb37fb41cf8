"""The tracker store keeps recent conversations in memory, and never works on a stale one
(bot/rasa_plugins/tracker_store.py): real Rasa trackers, real SQLite files and a real PostgreSQL server (whose
reads and inserts take another path), and a second store on the same database standing in for a second Rasa
process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db import make_engine, make_session_factory
from bot.privacy.forget import forget_contact_details
from bot.rasa_plugins.tracker_store import SettingsSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]


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
