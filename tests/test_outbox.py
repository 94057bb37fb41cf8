"""Handoff notifications against a real local HTTP server and a real local SMTP server."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT
from bot.db import create_tables, make_engine, make_session_factory
from bot.sales.handoffs import Brief, Consent, Contact, create_handoff
from bot.sales.models import HandoffRow, OutboxRow
from bot.sales.outbox import EmailChannel, WebhookChannel, deliver_due, retry_delay
from bot.sales.routing import load_team

TEAM = load_team(PROJECT_ROOT / "data" / "sales" / "team.yml")
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


class Hook:
    """A webhook receiver on 127.0.0.1 whose answer a test sets: ok, 500 or slow."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.received: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if hook.mode == "slow":
                    time.sleep(1.5)
                if hook.mode == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                hook.received.append(body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content.decode("utf-8", errors="replace"))
        return "250 OK"


@pytest.fixture()
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.stop()


@pytest.fixture()
def smtp() -> Iterator[tuple[Controller, Mailbox]]:
    mailbox = Mailbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture()
def db(tmp_path: Path) -> sessionmaker:
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    create_tables(engine)
    return make_session_factory(engine)


WHY = {"phase": {"value": "decision", "reasons": [{"message": 1, "source": "intent", "name": "ask_price",
                                                  "score": 0.98}]}}  # fmt: skip


def new_handoff(db: sessionmaker, channels: tuple[str, ...], conversation: str = "c1", kind: str = "sales") -> int:
    contact = Contact("Anna Berger", "Berger Logistik GmbH", "anna@berger.example", "0171 2345678")
    brief = Brief(segment="b2b", phase="decision", language="de", questions=("Was kostet das?",),
                  transcript=({"from": "visitor", "text": "Was kostet das?", "at": None},),
                  explanation=WHY)  # fmt: skip
    return create_handoff(db, conversation, contact, Consent(START, "v1", "ok?"), brief, TEAM, channels, START,
                          kind=kind).id  # fmt: skip


def outbox(db: sessionmaker) -> list[OutboxRow]:
    with db() as session:
        return list(session.execute(select(OutboxRow).order_by(OutboxRow.id)).scalars())


def test_a_new_handoff_reaches_the_webhook_once(db: sessionmaker, hook: Hook) -> None:
    handoff_id = new_handoff(db, ("webhook",))
    channels = {"webhook": WebhookChannel(hook.url)}
    assert deliver_due(db, channels, Clock()) == 1
    (sent,) = hook.received
    assert sent["event"] == "handoff.created" and sent["handoff"]["id"] == handoff_id
    assert "Kontakt: Anna Berger (Berger Logistik GmbH)" in sent["brief"]
    assert deliver_due(db, channels, Clock()) == 0 and len(hook.received) == 1, "never sent twice"
    (row,) = outbox(db)
    assert (row.status, row.attempts, row.last_error) == ("delivered", 1, None)


def test_the_brief_explains_the_journey_in_the_assigned_salespersons_language(db: sessionmaker, hook: Hook) -> None:
    new_handoff(db, ("webhook",))
    asked: list[str | None] = []
    assert deliver_due(db, {"webhook": WebhookChannel(hook.url)}, Clock(),
                       reader_language=lambda assignee: asked.append(assignee) or "en") == 1  # fmt: skip
    (sent,) = hook.received
    assert asked == [sent["handoff"]["assignee"]] and sent["handoff"]["journey_explanation"] == WHY
    assert "Why the bot thinks so:\n- Phase decision: message 1 “Was kostet das?”: asked about" in sent["brief"]


def test_slack_and_teams_formats(hook: Hook) -> None:
    handoff = {"id": 7, "name": "Anna", "company": None, "transcript": []}
    assert set(WebhookChannel(hook.url, "slack").payload(handoff)) == {"text"}
    assert WebhookChannel(hook.url, "teams").payload(handoff)["@type"] == "MessageCard"


def test_a_500_is_kept_with_its_error_and_retried_with_growing_waits(db: sessionmaker, hook: Hook) -> None:
    new_handoff(db, ("webhook",))
    channels = {"webhook": WebhookChannel(hook.url)}
    clock = Clock()
    hook.mode = "500"
    assert deliver_due(db, channels, clock) == 0
    (row,) = outbox(db)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "webhook answered HTTP 500")
    assert deliver_due(db, channels, clock) == 0 and outbox(db)[0].attempts == 1, "not before the wait is over"
    clock.now += retry_delay(1)
    deliver_due(db, channels, clock)
    assert outbox(db)[0].attempts == 2
    hook.mode = "ok"
    clock.now += retry_delay(2)
    assert deliver_due(db, channels, clock) == 1 and outbox(db)[0].status == "delivered"
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]


def test_a_slow_or_stopped_webhook_is_a_recorded_failure(db: sessionmaker, hook: Hook) -> None:
    new_handoff(db, ("webhook",))
    hook.mode = "slow"
    deliver_due(db, {"webhook": WebhookChannel(hook.url, timeout_s=0.3)}, Clock())
    assert outbox(db)[0].last_error == "webhook gave no answer within 0.3 s"
    url = hook.url
    hook.stop()
    clock = Clock()
    clock.now += dt.timedelta(hours=1)
    deliver_due(db, {"webhook": WebhookChannel(url)}, clock)
    assert outbox(db)[0].last_error.startswith("webhook not reachable")


def test_the_brief_is_emailed_over_smtp(db: sessionmaker, smtp: tuple[Controller, Mailbox]) -> None:
    controller, mailbox = smtp
    new_handoff(db, ("email",))
    channel = EmailChannel(
        "127.0.0.1", controller.server.sockets[0].getsockname()[1], "bot@x.example", "sales@x.example"
    )
    assert deliver_due(db, {"email": channel}, Clock()) == 1
    (message,) = mailbox.messages
    assert "Subject: Neue Anfrage #1: Anna Berger, Berger Logistik GmbH" in message
    assert "Telefon: 0171 2345678" in message and "Besucher: Was kostet das?" in message


def test_a_support_handoff_is_emailed_to_the_support_team_not_to_sales(
    db: sessionmaker, smtp: tuple[Controller, Mailbox]
) -> None:
    controller, mailbox = smtp
    new_handoff(db, ("email",), "c1", kind="support")
    new_handoff(db, ("email",), "c1", kind="sales")  # the same customer's sales request goes to sales
    channel = EmailChannel(
        "127.0.0.1", controller.server.sockets[0].getsockname()[1], "bot@x.example", "sales@x.example"
    )
    address = {"support": TEAM.support_email}
    assert deliver_due(db, {"email": channel}, Clock(), team_address=address.get) == 2
    import email.header

    sent = {str(message["To"]): str(email.header.make_header(email.header.decode_header(message["Subject"])))
            for message in map(email.message_from_string, mailbox.messages)}  # fmt: skip
    assert sent["support@wattwerk.example"].startswith("Support-Rückruf #1: Anna Berger")
    assert sent["sales@x.example"].startswith("Neue Anfrage #2")


def test_the_handoff_is_stored_even_when_every_channel_is_down(db: sessionmaker) -> None:
    handoff_id = new_handoff(db, ("webhook", "email"))
    channels = {"webhook": WebhookChannel("http://127.0.0.1:9/down", timeout_s=0.5),
                "email": EmailChannel("127.0.0.1", 9, "bot@x.example", "sales@x.example", timeout_s=0.5)}  # fmt: skip
    assert deliver_due(db, channels, Clock()) == 0
    with db() as session:
        assert session.get(HandoffRow, handoff_id).name == "Anna Berger"
    assert [(r.channel, r.status, r.attempts) for r in outbox(db)] == [
        ("webhook", "pending", 1),
        ("email", "pending", 1),
    ]
    assert all(r.last_error for r in outbox(db))


def test_a_restart_during_delivery_resumes_after_the_lease(db: sessionmaker, hook: Hook) -> None:
    new_handoff(db, ("webhook",))
    clock = Clock()
    with db() as session, session.begin():  # a worker claimed the row and died before it could send
        session.execute(select(OutboxRow)).scalar_one().next_attempt_at = START + dt.timedelta(seconds=60)
    channels = {"webhook": WebhookChannel(hook.url)}
    assert deliver_due(db, channels, clock) == 0, "the lease of the dead worker is still running"
    clock.now += dt.timedelta(seconds=61)
    assert deliver_due(db, channels, clock) == 1 and len(hook.received) == 1


def test_a_booked_moved_and_cancelled_meeting_reaches_her_webhook_and_mailbox_with_the_invitation(
    db: sessionmaker, hook: Hook, smtp: tuple[Controller, Mailbox]
) -> None:
    """Each change of a meeting is one more notification per channel, with the invitation calendars take in."""
    import email

    import icalendar

    from bot.sales import meetings

    controller, mailbox = smtp
    handoff_id = new_handoff(db, ("webhook", "email"))
    channels = {"webhook": WebhookChannel(hook.url),
                "email": EmailChannel("127.0.0.1", controller.server.sockets[0].getsockname()[1], "bot@x.example",
                                      "sales@x.example")}  # fmt: skip
    clock = Clock()
    lena = TEAM.people["lena.vogt"]
    notice = partial(meetings.notice, db, TEAM.people, now=START)
    deliver_due(db, channels, clock, meeting_notice=notice)  # the new handoff itself
    hook.received.clear()
    mailbox.messages.clear()
    start = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.timezone.utc)  # Tuesday 09:00 in Berlin
    meeting, token = meetings.book(db, handoff_id, lena, start, "Europe/Vienna", "de", ("webhook", "email"), START)
    assert deliver_due(db, channels, clock, meeting_notice=notice) == 2
    (sent,) = hook.received
    assert sent["event"] == "meeting.booked" and sent["handoff"]["id"] == handoff_id
    assert sent["meeting"]["text"].startswith("Termin gebucht: Di 24.11., 09:00 (Europe/Berlin), 30 Minuten, mit Anna")
    (event,) = icalendar.Calendar.from_ical(sent["meeting"]["ics"]).walk("VEVENT")
    assert event.decoded("DTSTART") == start and str(event["ATTENDEE"]) == "mailto:anna@berger.example"
    (message,) = mailbox.messages
    parts = {part.get_content_type(): part for part in email.message_from_string(message).walk()}
    assert "text/calendar" in parts and 'method="REQUEST"' in parts["text/calendar"]["Content-Type"]
    meetings.cancel(db, token, ("webhook", "email"), START)
    assert deliver_due(db, channels, clock, meeting_notice=notice) == 2
    assert hook.received[-1]["event"] == "meeting.cancelled"
    assert "METHOD:CANCEL" in hook.received[-1]["meeting"]["ics"]
    assert deliver_due(db, channels, clock, meeting_notice=notice) == 0, "never sent twice"
