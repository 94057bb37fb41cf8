"""Meetings booked in the chat: free slots of the routed salesperson, booking without double bookings, rebooking
and cancelling through the visitor's link, and the iCalendar invitation.

Free slots come from the salesperson's hours in data/sales/team.yml (their time zone) minus their booked meetings;
they are shown in the visitor's time zone (the widget sends it) and language. A booked meeting holds its slot through
a unique index on (salesperson, start) over booked meetings only, so two visitors choosing the same slot at the same
moment cannot both get it, on SQLite and PostgreSQL alike. The visitor's link carries a secret of which only the
hash is stored. Every booking, rebooking and cancellation notifies the salesperson on the handoff's channels (the
outbox topic `meeting:<id>:<sequence>`), with the invitation attached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.db import as_utc
from bot.sales.models import HandoffActivityRow, HandoffRow, MeetingRow, OutboxRow
from bot.sales.routing import Salesperson

MINUTES = 30
#: the earliest slot offered is this far ahead (time to prepare), the last this many days ahead
LEAD_TIME = dt.timedelta(hours=2)
DAYS_AHEAD = 10
#: how many slots the chat offers, at most two a day (one before noon, one after) so the choice spans several days
OFFERED = 6
DEFAULT_TIME_ZONE = "Europe/Berlin"
_WEEKDAYS = {"de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class SlotTaken(Exception):
    """Someone else booked this slot a moment earlier, or it is not one of the salesperson's free slots."""


@dataclass(frozen=True)
class Meeting:
    id: int
    handoff_id: int
    conversation_id: str
    salesperson: str
    starts_at: dt.datetime  #: UTC
    minutes: int
    time_zone: str  #: the visitor's
    language: str
    state: str  #: booked or cancelled
    sequence: int  #: the invitation's SEQUENCE: 0, then one more with each rebooking or cancellation

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)


def visitor_zone(name: str | None) -> ZoneInfo:
    """The visitor's time zone from the widget; Berlin when it sent none or one Python does not know."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def slot_label(start: dt.datetime, time_zone: str | None, language: str) -> str:
    """ "Mi 02.12., 10:00" / "Wed 2 Dec, 10:00" in the visitor's time zone."""
    local = start.astimezone(visitor_zone(time_zone))
    if language == "en":
        return f"{_WEEKDAYS['en'][local.weekday()]} {local.day} {_MONTHS_EN[local.month - 1]}, {local:%H:%M}"
    return f"{_WEEKDAYS['de'][local.weekday()]} {local:%d.%m.}, {local:%H:%M}"


def free_slots(person: Salesperson, booked: Iterable[dt.datetime], now: dt.datetime, limit: int = OFFERED
               ) -> list[dt.datetime]:  # fmt: skip
    """The next free slots (UTC) within the salesperson's hours: from LEAD_TIME ahead, at most two a day."""
    zone, taken = ZoneInfo(person.time_zone), {as_utc(start) for start in booked}
    earliest = now + LEAD_TIME
    found: list[dt.datetime] = []
    day = now.astimezone(zone).date()
    for _ in range(DAYS_AHEAD + 1):
        span = person.hours.get(day.weekday())
        if span is not None:
            today: dict[bool, dt.datetime] = {}  # before noon, after noon
            start = dt.datetime.combine(day, span[0], tzinfo=zone)
            closing = dt.datetime.combine(day, span[1], tzinfo=zone)
            while start + dt.timedelta(minutes=MINUTES) <= closing:
                utc = start.astimezone(dt.timezone.utc)
                if utc >= earliest and utc not in taken:
                    today.setdefault(start.hour >= 12, utc)
                start += dt.timedelta(minutes=MINUTES)
            found += sorted(today.values())
            if len(found) >= limit:
                return found[:limit]
        day += dt.timedelta(days=1)
    return found


def is_free(person: Salesperson, booked: Iterable[dt.datetime], start: dt.datetime, now: dt.datetime) -> bool:
    """Whether `start` is a slot the salesperson offers (inside their hours, on the half hour, ahead) and free."""
    zone, start = ZoneInfo(person.time_zone), as_utc(start)
    local = start.astimezone(zone)
    span = person.hours.get(local.weekday())
    if span is None or start < now + LEAD_TIME or start > now + dt.timedelta(days=DAYS_AHEAD + 1):
        return False
    opening = dt.datetime.combine(local.date(), span[0], tzinfo=zone)
    closing = dt.datetime.combine(local.date(), span[1], tzinfo=zone)
    on_grid = (local - opening) % dt.timedelta(minutes=MINUTES) == dt.timedelta(0)
    return opening <= local and local + dt.timedelta(minutes=MINUTES) <= closing and on_grid and \
        start not in {as_utc(b) for b in booked}


def booked_starts(session_factory: sessionmaker, salesperson: str, now: dt.datetime) -> list[dt.datetime]:
    with session_factory() as session:
        rows = session.execute(sa.select(MeetingRow.starts_at).where(
            MeetingRow.salesperson == salesperson, MeetingRow.state == "booked", MeetingRow.starts_at >= now))
        return [as_utc(start) for (start,) in rows]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _meeting(row: MeetingRow) -> Meeting:
    return Meeting(id=row.id, handoff_id=row.handoff_id, conversation_id=row.conversation_id,
                   salesperson=row.salesperson, starts_at=as_utc(row.starts_at), minutes=row.minutes,
                   time_zone=row.time_zone, language=row.language, state=row.state, sequence=row.sequence)  # fmt: skip


def _notify(session: sa.orm.Session, meeting: MeetingRow, channels: Iterable[str], now: dt.datetime) -> None:
    for channel in channels:
        session.add(OutboxRow(handoff_id=meeting.handoff_id, channel=channel, status="pending", attempts=0,
                              next_attempt_at=now, topic=f"meeting:{meeting.id}:{meeting.sequence}"))  # fmt: skip


def _booked(session: sa.orm.Session, token: str) -> MeetingRow | None:
    return session.execute(sa.select(MeetingRow).where(MeetingRow.token_hash == _hash(token),
                                                       MeetingRow.state == "booked")).scalars().first()  # fmt: skip


def _record(session: sa.orm.Session, handoff_id: int, author: str, detail: str, when: str | None,
            now: dt.datetime) -> None:  # fmt: skip
    """The handoff shows the meeting as its call-back time (None: cancelled) and its activity says what happened."""
    handoff = session.get(HandoffRow, handoff_id)
    handoff.callback_time, handoff.updated_at = when, now
    session.add(HandoffActivityRow(handoff_id=handoff_id, at=now, author=author, action="meeting", detail=detail))


def _when(start: dt.datetime, person: Salesperson) -> str:
    return f"Termin {slot_label(start, person.time_zone, 'de')} ({person.time_zone})"


def book(session_factory: sessionmaker, handoff_id: int, person: Salesperson, start: dt.datetime, time_zone: str,
         language: str, channels: Iterable[str], now: dt.datetime) -> tuple[Meeting, str]:  # fmt: skip
    """Books `start` with `person` for the handoff; returns the meeting and the secret of the visitor's link.
    SlotTaken if the slot is not free (any more). A conversation's earlier booking is replaced (rebooked)."""
    start = as_utc(start)
    if not is_free(person, booked_starts(session_factory, person.id, now), start, now):
        raise SlotTaken(start.isoformat())
    token = secrets.token_urlsafe(24)
    try:
        with session_factory() as session, session.begin():
            handoff = session.get(HandoffRow, handoff_id)
            if handoff is None:
                raise SlotTaken("no such request")
            earlier = session.execute(sa.select(MeetingRow).where(
                MeetingRow.handoff_id == handoff_id, MeetingRow.state == "booked")).scalars().first()  # fmt: skip
            if earlier is not None:  # one meeting per request: choosing again in the chat moves it
                earlier.state, earlier.sequence, earlier.updated_at = "cancelled", earlier.sequence + 1, now
                session.flush()
                _notify(session, earlier, channels, now)
            row = MeetingRow(handoff_id=handoff_id, conversation_id=handoff.conversation_id, salesperson=person.id,
                             starts_at=start, minutes=MINUTES, time_zone=str(visitor_zone(time_zone)),
                             language=language, state="booked", sequence=0, token_hash=_hash(token), created_at=now,
                             updated_at=now)  # fmt: skip
            session.add(row)
            session.flush()  # the unique index refuses a slot another transaction just took
            _notify(session, row, channels, now)
            _record(session, handoff_id, "bot", f"Termin gebucht: {start.isoformat()} mit {person.id}",
                    _when(start, person), now)  # fmt: skip
            meeting = _meeting(row)
    except IntegrityError as error:
        raise SlotTaken(start.isoformat()) from error
    return meeting, token


def by_token(session_factory: sessionmaker, token: str) -> Meeting | None:
    if not token or len(token) > 100:
        return None
    with session_factory() as session:
        row = session.execute(sa.select(MeetingRow).where(MeetingRow.token_hash == _hash(token))).scalars().first()
        return None if row is None else _meeting(row)


def get_meeting(session_factory: sessionmaker, meeting_id: int) -> Meeting | None:
    with session_factory() as session:
        row = session.get(MeetingRow, meeting_id)
        return None if row is None else _meeting(row)


def rebook(session_factory: sessionmaker, token: str, person: Salesperson, start: dt.datetime,
           channels: Iterable[str], now: dt.datetime) -> Meeting:  # fmt: skip
    """Moves the booked meeting of this link to `start` (same salesperson, same link); SlotTaken if not free."""
    start = as_utc(start)
    if not is_free(person, booked_starts(session_factory, person.id, now), start, now):
        raise SlotTaken(start.isoformat())
    try:
        with session_factory() as session, session.begin():
            row = _booked(session, token)
            if row is None:
                raise SlotTaken("no booked meeting")
            before = as_utc(row.starts_at)
            row.starts_at, row.sequence, row.updated_at = start, row.sequence + 1, now
            session.flush()
            _notify(session, row, channels, now)
            _record(session, row.handoff_id, "visitor", f"Termin verschoben: {before.isoformat()} → "
                    f"{start.isoformat()}", _when(start, person), now)  # fmt: skip
            return _meeting(row)
    except IntegrityError as error:
        raise SlotTaken(start.isoformat()) from error


def cancel(session_factory: sessionmaker, token: str, channels: Iterable[str], now: dt.datetime) -> Meeting | None:
    """Cancels the booked meeting of this link; None if there is none (cancelled already, or no such link)."""
    with session_factory() as session, session.begin():
        row = _booked(session, token)
        if row is None:
            return None
        row.state, row.sequence, row.updated_at = "cancelled", row.sequence + 1, now
        session.flush()
        _notify(session, row, channels, now)
        _record(session, row.handoff_id, "visitor", f"Termin abgesagt: {as_utc(row.starts_at).isoformat()}", None, now)
        return _meeting(row)


# --- the invitation (RFC 5545), written by hand: a few fixed lines, no library needed -----------------------------


def _text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as \\n."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545, 3.1)."""
    data, parts = line.encode(), []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    parts.append(data.decode())
    return "\r\n ".join(parts)


def invitation(meeting: Meeting, organizer: Salesperson, attendee: tuple[str | None, str | None], summary: str,
               description: str, now: dt.datetime, domain: str = "wattwerk.example") -> str:  # fmt: skip
    """The .ics of the meeting: REQUEST while booked, CANCEL once cancelled; UID stays, SEQUENCE counts changes."""
    stamp = "%Y%m%dT%H%M%SZ"
    cancelled = meeting.state == "cancelled"
    name, email = attendee
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{domain}//Journey Bot//DE",
             f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}", "CALSCALE:GREGORIAN", "BEGIN:VEVENT",
             f"UID:meeting-{meeting.id}@{domain}", f"DTSTAMP:{now.astimezone(dt.timezone.utc).strftime(stamp)}",
             f"DTSTART:{meeting.starts_at.strftime(stamp)}", f"DTEND:{meeting.ends_at.strftime(stamp)}",
             f"SEQUENCE:{meeting.sequence}", f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
             f"SUMMARY:{_text(summary)}", f"DESCRIPTION:{_text(description)}",
             f"ORGANIZER;CN={_text(organizer.name)}:mailto:{organizer.email}"]  # fmt: skip
    if email:
        lines.append(f"ATTENDEE;CN={_text(name or email)};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{email}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def notice(session_factory: sessionmaker, team_people: Mapping[str, Salesperson], topic: str, now: dt.datetime
           ) -> dict[str, Any] | None:  # fmt: skip
    """What the salesperson's channels say about the meeting of an outbox topic (`meeting:<id>:<sequence>`): its
    state now (a later change wins), a line of text, and the invitation with the visitor as attendee. None if the
    meeting or its salesperson is gone."""
    try:
        meeting = get_meeting(session_factory, int(topic.split(":")[1]))
    except (IndexError, ValueError):
        return None
    person = team_people.get(meeting.salesperson) if meeting else None
    if meeting is None or person is None:
        return None
    with session_factory() as session:
        handoff = session.get(HandoffRow, meeting.handoff_id)
        visitor = (handoff.name, handoff.email, handoff.company, handoff.phone)
    name, email, company, phone = visitor
    what = ("Termin abgesagt" if meeting.state == "cancelled" else
            "Termin gebucht" if meeting.sequence == 0 else "Termin verschoben")  # fmt: skip
    when = f"{slot_label(meeting.starts_at, person.time_zone, 'de')} ({person.time_zone})"
    who = ", ".join(filter(None, (name, company, email or phone))) or f"Anfrage #{meeting.handoff_id}"
    text = f"{what}: {when}, {meeting.minutes} Minuten, mit {who} (Anfrage #{meeting.handoff_id})."
    ics = invitation(meeting, person, (name, email), f"Wattwerk: Gespräch mit {name or company or 'Interessent'}",
                     text, now)  # fmt: skip
    event = {"Termin abgesagt": "meeting.cancelled", "Termin gebucht": "meeting.booked"}.get(what, "meeting.rebooked")
    return {"event": event, "id": meeting.id, "starts_at": meeting.starts_at.isoformat(), "minutes": meeting.minutes,
            "salesperson": meeting.salesperson, "state": meeting.state, "sequence": meeting.sequence,
            "subject": f"{what}: {name or company or 'Interessent'} – {when}", "text": text, "ics": ics}  # fmt: skip
