"""The live chat queue (bot/sales/live.py) on SQLite and PostgreSQL: who is offered, one winner when two salespeople
claim the same chat at once, a chat nobody takes in time, and what the handoff records."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT
from bot.db import create_tables, make_engine, make_session_factory
from bot.sales import live
from bot.sales.handoffs import Brief, Consent, Contact, create_handoff
from bot.sales.models import HandoffActivityRow, HandoffRow
from bot.sales.routing import load_team

TEAM = load_team(PROJECT_ROOT / "data" / "sales" / "team.yml")
MONDAY_10_BERLIN = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
SUNDAY = dt.datetime(2026, 11, 22, 11, 0, tzinfo=dt.timezone.utc)
MONDAY_NIGHT = dt.datetime(2026, 11, 23, 22, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def db(database_url: str) -> sessionmaker:
    engine = make_engine(database_url)
    create_tables(engine)
    return make_session_factory(engine)


def waiting_chat(db: sessionmaker, conversation: str = "c1", language: str = "de") -> live.LiveChat:
    contact = Contact("Anna Berger", "Berger Logistik GmbH", "anna@berger.example", None)
    brief = Brief(segment="b2b", phase="decision", persona="budget_owner", language=language)
    handoff = create_handoff(db, conversation, contact, Consent(MONDAY_10_BERLIN, "v1", "ok?"), brief, TEAM, (),
                             MONDAY_10_BERLIN)  # fmt: skip
    return live.request_live(db, conversation, handoff.id, language, MONDAY_10_BERLIN)


@pytest.mark.parametrize(
    ("present", "now", "language", "offered"),
    [
        ({"lena.vogt"}, MONDAY_10_BERLIN, "de", "lena.vogt"),
        ({"max.huber"}, MONDAY_10_BERLIN, "de", "max.huber"),
        (set(), MONDAY_10_BERLIN, "de", None),  # nobody has the queue open
        ({"lena.vogt"}, SUNDAY, "de", None),  # outside everyone's hours
        ({"lena.vogt"}, MONDAY_NIGHT, "de", None),
        ({"max.huber"}, MONDAY_10_BERLIN, "en", None),  # Max speaks German only
        ({"max.huber", "sarah.miller"}, MONDAY_10_BERLIN, "en", "sarah.miller"),
    ],
)
def test_a_person_is_offered_only_in_hours_while_someone_who_speaks_the_language_is_there(
    present: set[str], now: dt.datetime, language: str, offered: str | None
) -> None:
    person = live.who_is_live(TEAM, present, now, {"language": language, "segment": "b2b"})
    assert (person.id if person else None) == offered


def test_presence_counts_for_the_configured_seconds(db: sessionmaker) -> None:
    live.mark_present(db, "lena.vogt", MONDAY_10_BERLIN)
    live.mark_present(db, "max.huber", MONDAY_10_BERLIN - dt.timedelta(seconds=45))
    assert live.present(db, MONDAY_10_BERLIN + dt.timedelta(seconds=10), 30) == {"lena.vogt"}
    live.mark_present(db, "max.huber", MONDAY_10_BERLIN + dt.timedelta(seconds=5))  # the page checked in again
    assert live.present(db, MONDAY_10_BERLIN + dt.timedelta(seconds=10), 30) == {"lena.vogt", "max.huber"}


def test_asking_again_while_waiting_is_the_same_chat(db: sessionmaker) -> None:
    first = waiting_chat(db)
    again = live.request_live(db, "c1", first.handoff_id, "de", MONDAY_10_BERLIN + dt.timedelta(seconds=5))
    assert again.id == first.id and [chat.id for chat in live.open_chats(db)] == [first.id]


def test_two_salespeople_claim_at_once_and_exactly_one_gets_the_chat(db: sessionmaker) -> None:
    chat = waiting_chat(db)
    results: dict[str, live.LiveChat | None] = {}
    start = threading.Barrier(2)

    def take(person: str) -> None:
        start.wait()
        results[person] = live.claim(db, chat.id, person, person, MONDAY_10_BERLIN)

    threads = [threading.Thread(target=take, args=(person,)) for person in ("lena.vogt", "tom.becker")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [person for person, result in results.items() if result is not None]
    assert len(winners) == 1
    with db() as session:
        handoff = session.get(HandoffRow, chat.handoff_id)
        assert (handoff.status, handoff.assignee) == ("claimed", winners[0])
    assert live.get_chat(db, chat.id).salesperson == winners[0]  # type: ignore[union-attr]


def test_ending_makes_the_handoff_contacted_and_the_activity_says_how_many_messages(db: sessionmaker) -> None:
    chat = waiting_chat(db)
    assert live.end(db, chat.id, "lena", MONDAY_10_BERLIN) is None  # not taken yet: nothing to end
    live.claim(db, chat.id, "lena.vogt", "lena", MONDAY_10_BERLIN)
    live.count_message(db, chat.id)
    live.count_message(db, chat.id)
    ended = live.end(db, chat.id, "lena", MONDAY_10_BERLIN + dt.timedelta(minutes=4))
    assert ended is not None and (ended.state, ended.messages) == ("ended", 2)
    assert live.claim(db, chat.id, "tom.becker", "tom", MONDAY_10_BERLIN) is None  # an ended chat is nobody's
    with db() as session:
        assert session.get(HandoffRow, chat.handoff_id).status == "contacted"
        details = [row.detail for row in session.query(HandoffActivityRow).filter_by(action="live")]
    assert details == ["Live-Chat übernommen (lena.vogt)", "Live-Chat beendet, 2 Nachrichten"]
    assert live.open_chats(db) == []


def test_a_chat_nobody_takes_in_time_is_missed_and_offered_until_the_visitor_was_told(db: sessionmaker) -> None:
    chat = waiting_chat(db)
    assert live.expire(db, MONDAY_10_BERLIN + dt.timedelta(seconds=59), 60) == []
    missed = live.expire(db, MONDAY_10_BERLIN + dt.timedelta(seconds=60), 60)
    assert [(m.id, m.state) for m in missed] == [(chat.id, "missed")]
    assert live.claim(db, chat.id, "lena.vogt", "lena", MONDAY_10_BERLIN) is None  # too late to claim
    assert [m.id for m in live.expire(db, MONDAY_10_BERLIN + dt.timedelta(seconds=62), 60)] == [chat.id]  # not told
    live.told(db, chat.id, MONDAY_10_BERLIN + dt.timedelta(seconds=63))
    assert live.expire(db, MONDAY_10_BERLIN + dt.timedelta(seconds=64), 60) == []


def test_a_chat_whose_salesperson_left_is_found_for_the_bot_to_take_back(db: sessionmaker) -> None:
    chat = waiting_chat(db)
    live.claim(db, chat.id, "lena.vogt", "lena", MONDAY_10_BERLIN)
    live.mark_present(db, "lena.vogt", MONDAY_10_BERLIN + dt.timedelta(seconds=60))  # her chat page checked in
    assert live.left_alone(db, MONDAY_10_BERLIN + dt.timedelta(seconds=150), 120) == []
    gone = live.left_alone(db, MONDAY_10_BERLIN + dt.timedelta(seconds=200), 120)  # nothing for 140 s
    assert [(c.id, c.salesperson) for c in gone] == [(chat.id, "lena.vogt")]
