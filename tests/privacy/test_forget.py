"""Contact details without consent are removed from the stored conversation (bot/privacy/forget.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db import create_tables, make_engine, make_session_factory
from bot.privacy.forget import contact_details_in, forget_abandoned, forget_contact_details, scrub_text
from bot.sales.models import HandoffRow


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Anna Berger, Berger Logistik GmbH, anna@berger.de", ["anna@berger.de"]),
        ("Ruft mich an: 0171 2345678 oder +49 30 1234567", ["0171 2345678", "+49 30 1234567"]),
        ("Wir zahlen 60.000 € im Jahr für 1200000 kWh", []),
        ("Was kostet Wattwerk Business?", []),
    ],
)
def test_e_mail_addresses_and_phone_numbers_are_found_but_not_amounts(text: str, found: list[str]) -> None:
    assert contact_details_in(text) == found


def test_known_details_are_replaced_wherever_they_occur() -> None:
    text = "Darf Wattwerk Ihre Angaben (Anna Berger, ANNA@berger.de) speichern?"
    assert scrub_text(text, ["Anna Berger", "anna@berger.de", "", "Jo"], "[gelöscht]") == (
        "Darf Wattwerk Ihre Angaben ([gelöscht], [gelöscht]) speichern?")  # fmt: skip
    assert scrub_text("Eva fragt nach der Evaluation", ["Eva"], "[gelöscht]") == "[gelöscht] fragt nach der Evaluation"


def test_a_conversation_in_rasas_tracker_store_is_rewritten_without_the_details(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    store = SQLTrackerStore(Domain.empty(), host=url)
    tracker = DialogueStateTracker.from_events("anna", [
        UserUttered("Können Sie mich zurückrufen?"),
        UserUttered("Anna Berger, Berger Logistik, anna@berger.de, 0171 2345678"),
        BotUttered("Darf Wattwerk Ihre Angaben (anna@berger.de, 0171 2345678) speichern?"),
        SlotSet("lead_contact", "anna@berger.de, 0171 2345678"),
        UserUttered("Nein"),
    ])  # fmt: skip
    asyncio.run(store.save(tracker))
    other = DialogueStateTracker.from_events("ben", [UserUttered("ben@example.de")])
    asyncio.run(store.save(other))

    known = ["Anna Berger", "Berger Logistik", "anna@berger.de", "0171 2345678"]
    changed = forget_contact_details(make_session_factory(make_engine(url)), "anna", known, "de")

    assert changed == 3
    stored = [json.loads(row.data) for row in store.engine.connect().execute(
        SQLTrackerStore.SQLEvent.__table__.select().where(SQLTrackerStore.SQLEvent.sender_id == "anna"))]  # fmt: skip
    texts = [e.get("text") or e.get("value") for e in stored if e["event"] in ("user", "bot", "slot")]
    assert texts == ["Können Sie mich zurückrufen?", "[gelöscht], [gelöscht], [gelöscht], [gelöscht]",
                     "Darf Wattwerk Ihre Angaben ([gelöscht], [gelöscht]) speichern?", "[gelöscht], [gelöscht]",
                     "Nein"]  # fmt: skip
    ben = asyncio.run(store.retrieve("ben"))
    assert ben is not None and "ben@example.de" in json.dumps([e.as_dict() for e in ben.events]), "others untouched"


def test_without_a_tracker_table_nothing_breaks(tmp_path: Path) -> None:
    factory = make_session_factory(make_engine(f"sqlite:///{tmp_path / 'other.db'}"))
    assert forget_contact_details(factory, "anna", ["anna@berger.de"], "en") == 0


def test_conversations_left_without_consent_are_forgotten_once_idle(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    engine = make_engine(url)
    create_tables(engine)
    factory = make_session_factory(engine)
    store = SQLTrackerStore(Domain.empty(), host=url)
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
    two_days_ago = (now - dt.timedelta(days=2)).timestamp()

    def conversation(sender: str, at: float) -> None:
        events = [UserUttered("Rufen Sie mich an", timestamp=at),
                  UserUttered("Eva Kurz, eva@kurz.de", timestamp=at + 1),
                  SlotSet("lead_name", "Eva Kurz", timestamp=at + 1),
                  BotUttered("Darf Wattwerk Ihre Angaben (eva@kurz.de) speichern? Fragen: vertrieb@wattwerk.example",
                             timestamp=at + 2)]  # fmt: skip
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))

    conversation("left", two_days_ago)
    conversation("handed-over", two_days_ago)
    conversation("still-talking", now.timestamp() - 600)
    with factory() as session, session.begin():
        session.add(HandoffRow(conversation_id="handed-over", consent_at=now, consent_version="v1", consent_text="ja",
                               language="de", products_shown=[], reviews_shown=[], questions=[], transcript=[],
                               created_at=now, updated_at=now))  # fmt: skip

    assert forget_abandoned(factory, now, dt.timedelta(hours=24)) == {"left": 3}
    assert forget_abandoned(factory, now, dt.timedelta(hours=24)) == {}, "treated once"

    def stored(sender: str) -> str:
        tracker = asyncio.run(store.retrieve(sender))
        assert tracker is not None
        return json.dumps([e.as_dict() for e in tracker.events], ensure_ascii=False)

    assert "eva@kurz.de" not in stored("left") and "Eva Kurz" not in stored("left")
    assert "vertrieb@wattwerk.example" in stored("left"), "the bot's own address stays"
    assert "eva@kurz.de" in stored("handed-over") and "eva@kurz.de" in stored("still-talking")
