"""Meetings (bot/sales/meetings.py) on SQLite and PostgreSQL: free slots from the team file's hours minus bookings,
shown in the visitor's time zone; no double booking even when two visitors choose the same slot at once; rebooking
and cancelling with the salesperson notified; the invitation read back by a calendar library."""

from __future__ import annotations

import datetime as dt
import threading

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT
from bot.db import create_tables, make_engine, make_session_factory
from bot.sales import meetings
from bot.sales.handoffs import Brief, Consent, Contact, create_handoff
from bot.sales.models import HandoffRow, OutboxRow
from bot.sales.routing import load_team

TEAM = load_team(PROJECT_ROOT / "data" / "sales" / "team.yml")
LENA = TEAM.people["lena.vogt"]  # Mon–Thu 09:00–17:00, Fri 09:00–15:00, Europe/Berlin
MONDAY_10_BERLIN = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
CHANNELS = ("email", "webhook")


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.timezone.utc)


@pytest.fixture()
def db(database_url: str) -> sessionmaker:
    engine = make_engine(database_url)
    create_tables(engine)
    return make_session_factory(engine)


def new_handoff(db: sessionmaker, conversation: str) -> int:
    contact = Contact("Anna Berger", "Berger Logistik GmbH", "anna@berger.example", None)
    return create_handoff(db, conversation, contact, Consent(MONDAY_10_BERLIN, "v1", "ok?"), Brief(segment="b2b"),
                          TEAM, (), MONDAY_10_BERLIN).id  # fmt: skip


def test_the_slots_are_two_a_day_within_her_hours_from_two_hours_ahead() -> None:
    slots = meetings.free_slots(LENA, [], MONDAY_10_BERLIN)
    # Monday: 12:00 Berlin is the first slot two hours ahead (after noon); then a morning and an afternoon slot a day
    assert slots == [utc(23, 11), utc(24, 8), utc(24, 11), utc(25, 8), utc(25, 11), utc(26, 8)]


def test_a_booked_slot_is_not_offered_and_a_weekend_has_none() -> None:
    friday_afternoon = dt.datetime(2026, 11, 27, 13, 0, tzinfo=dt.timezone.utc)  # 14:00 Berlin, she leaves at 15:00
    slots = meetings.free_slots(LENA, [utc(30, 8)], friday_afternoon, limit=3)
    assert slots == [utc(30, 8, 30), utc(30, 11), dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)]


@pytest.mark.parametrize(
    ("zone", "language", "label"),
    [("Europe/Berlin", "de", "Di 24.11., 09:00"), ("Europe/London", "en", "Tue 24 Nov, 08:00"),
     ("America/New_York", "en", "Tue 24 Nov, 03:00"), ("Not/A_Zone", "de", "Di 24.11., 09:00")],
)  # fmt: skip
def test_a_slot_is_shown_in_the_visitors_time_zone_and_language(zone: str, language: str, label: str) -> None:
    assert meetings.slot_label(utc(24, 8), zone, language) == label


def test_two_visitors_choose_the_same_slot_at_once_and_only_one_gets_it(db: sessionmaker) -> None:
    handoffs = [new_handoff(db, f"c{number}") for number in range(2)]
    results: list[object] = []
    start = threading.Barrier(2)

    def choose(handoff_id: int) -> None:
        start.wait()
        try:
            results.append(meetings.book(db, handoff_id, LENA, utc(24, 8), "Europe/Berlin", "de", CHANNELS,
                                         MONDAY_10_BERLIN)[0])  # fmt: skip
        except meetings.SlotTaken as taken:
            results.append(taken)

    threads = [threading.Thread(target=choose, args=(handoff_id,)) for handoff_id in handoffs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    booked = [result for result in results if isinstance(result, meetings.Meeting)]
    assert len(booked) == 1 and sum(isinstance(r, meetings.SlotTaken) for r in results) == 1
    assert meetings.booked_starts(db, "lena.vogt", MONDAY_10_BERLIN) == [utc(24, 8)]
    assert utc(24, 8) not in meetings.free_slots(LENA, meetings.booked_starts(db, "lena.vogt", MONDAY_10_BERLIN),
                                                 MONDAY_10_BERLIN)  # fmt: skip


@pytest.mark.parametrize("start", [utc(24, 8, 10), utc(28, 10), utc(23, 9, 30), utc(24, 20)])
def test_a_time_she_does_not_offer_cannot_be_booked(db: sessionmaker, start: dt.datetime) -> None:
    """Off the half hour, a Saturday, less than two hours ahead, after her hours: a forged button gets nothing."""
    with pytest.raises(meetings.SlotTaken):
        meetings.book(db, new_handoff(db, "c1"), LENA, start, "Europe/Berlin", "de", CHANNELS, MONDAY_10_BERLIN)


def test_rebooking_and_cancelling_through_the_link_notify_her_and_free_the_slot(db: sessionmaker) -> None:
    handoff_id = new_handoff(db, "c1")
    meeting, token = meetings.book(db, handoff_id, LENA, utc(24, 8), "Europe/London", "en", CHANNELS,
                                   MONDAY_10_BERLIN)  # fmt: skip
    assert meetings.by_token(db, token) == meeting and meetings.by_token(db, token + "x") is None
    moved = meetings.rebook(db, token, LENA, utc(25, 11), CHANNELS, MONDAY_10_BERLIN)
    assert (moved.starts_at, moved.sequence, moved.time_zone) == (utc(25, 11), 1, "Europe/London")
    other, _ = meetings.book(db, new_handoff(db, "c2"), LENA, utc(24, 8), "Europe/Berlin", "de", CHANNELS,
                             MONDAY_10_BERLIN)  # the first slot is free again  # fmt: skip
    cancelled = meetings.cancel(db, token, CHANNELS, MONDAY_10_BERLIN)
    assert cancelled is not None and (cancelled.state, cancelled.sequence) == ("cancelled", 2)
    assert meetings.cancel(db, token, CHANNELS, MONDAY_10_BERLIN) is None  # twice: nothing more happens
    with db() as session:
        topics = sorted((row.channel, row.topic) for row in session.execute(
            select(OutboxRow).where(OutboxRow.handoff_id == handoff_id)).scalars())  # fmt: skip
        handoff = session.get(HandoffRow, handoff_id)
        assert handoff.callback_time is None  # the meeting was its call-back time until cancelled
    assert topics == sorted((channel, f"meeting:{meeting.id}:{sequence}") for channel in CHANNELS
                            for sequence in (0, 1, 2))  # fmt: skip
    assert meetings.booked_starts(db, "lena.vogt", MONDAY_10_BERLIN) == [other.starts_at]


@pytest.mark.parametrize("state", ["booked", "cancelled"])
def test_the_invitation_is_read_back_by_a_calendar_library(db: sessionmaker, state: str) -> None:
    meeting, token = meetings.book(db, new_handoff(db, "c1"), LENA, utc(24, 8), "Europe/Berlin", "de", CHANNELS,
                                   MONDAY_10_BERLIN)  # fmt: skip
    if state == "cancelled":
        meeting = meetings.cancel(db, token, CHANNELS, MONDAY_10_BERLIN)  # type: ignore[assignment]
    text = meetings.invitation(meeting, LENA, ("Anna Berger", "anna@berger.example"),
                               "Wattwerk: Gespräch mit Lena Vogt; Berger, Logistik",
                               "Verschieben oder absagen: https://wattwerk.example/meetings/" + "x" * 60,
                               MONDAY_10_BERLIN)  # fmt: skip
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == ("CANCEL" if state == "cancelled" else "REQUEST")
    assert event.decoded("DTSTART") == utc(24, 8) and event.decoded("DTEND") == utc(24, 8, 30)
    assert str(event["SUMMARY"]) == "Wattwerk: Gespräch mit Lena Vogt; Berger, Logistik"
    assert str(event["DESCRIPTION"]).endswith("x" * 60)
    assert str(event["ORGANIZER"]) == "mailto:lena.vogt@wattwerk.example"
    assert str(event["ATTENDEE"]) == "mailto:anna@berger.example"
    assert (int(event["SEQUENCE"]), str(event["STATUS"])) == (
        (1, "CANCELLED") if state == "cancelled" else (0, "CONFIRMED"))
    assert str(event["UID"]) == f"meeting-{meeting.id}@wattwerk.example"
