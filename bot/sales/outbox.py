"""Delivers new handoffs to the sales team's channels from a durable outbox in the database.

Every handoff gets one outbox row per configured channel in the same transaction that stores
it, so a notification can never be lost. The worker claims due rows with a lease (a crash
mid-delivery makes the row due again when the lease ends), delivers, and records success or
the error with an exponentially growing wait before the next attempt. A delivered row is never
sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import requests
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.db import as_utc
from bot.sales.brief import brief_text, subject
from bot.sales.models import HandoffRow, OutboxRow
from bot.sales.store import handoff_dict

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
FIRST_RETRY_S = 10
MAX_RETRY = dt.timedelta(hours=1)


class DeliveryError(Exception):
    """A channel could not deliver; the message says why."""


class Channel(Protocol):
    def send(self, handoff: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class WebhookChannel:
    """A JSON webhook: generic (the whole handoff), or Slack/Teams-compatible message formats."""

    url: str
    format: str = "generic"
    timeout_s: float = 5.0
    inbox_url: str | None = None
    session: requests.Session | None = None

    def payload(self, handoff: Mapping[str, Any]) -> dict[str, Any]:
        meeting = handoff.get("meeting")
        if meeting:  # a booking, rebooking or cancellation (bot/sales/meetings.py), with the invitation
            if self.format == "slack":
                return {"text": meeting["text"]}
            if self.format == "teams":
                title = meeting["subject"]
                return {"@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": title,
                        "title": title, "text": meeting["text"]}  # fmt: skip
            core = {key: value for key, value in handoff.items() if key not in ("meeting", "transcript")}
            return {"event": meeting["event"], "meeting": dict(meeting), "handoff": core}
        text = brief_text(handoff, self.inbox_url, handoff.get("reader_language") or "de")
        if self.format == "slack":
            return {"text": text}
        if self.format == "teams":
            return {"@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": subject(handoff),
                    "title": subject(handoff), "text": text.replace("\n", "  \n")}  # fmt: skip
        return {"event": "handoff.created", "handoff": dict(handoff), "brief": text}

    def send(self, handoff: Mapping[str, Any]) -> None:
        session = self.session or requests.Session()
        try:
            response = session.post(self.url, json=self.payload(handoff), timeout=self.timeout_s)
            response.raise_for_status()
        except requests.Timeout as exc:
            raise DeliveryError(f"webhook gave no answer within {self.timeout_s} s") from exc
        except requests.HTTPError as exc:
            raise DeliveryError(f"webhook answered HTTP {exc.response.status_code}") from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"webhook not reachable ({type(exc).__name__})") from exc


@dataclass(frozen=True)
class EmailChannel:
    """E-mail to the sales team via SMTP, with the brief in the body."""

    host: str
    port: int
    sender: str
    to: str
    user: str = ""
    password: str = ""
    timeout_s: float = 10.0
    inbox_url: str | None = None

    def send(self, handoff: Mapping[str, Any]) -> None:
        message = EmailMessage()
        meeting = handoff.get("meeting")
        message["Subject"] = meeting["subject"] if meeting else subject(handoff)
        message["From"] = self.sender
        message["To"] = handoff.get("send_to") or self.to  # support handoffs: the support team's address
        if meeting:  # the invitation as an attachment calendars take in (bot/sales/meetings.py)
            message.set_content(meeting["text"] + (f"\n\n{self.inbox_url}" if self.inbox_url else ""))
            method = "CANCEL" if meeting["state"] == "cancelled" else "REQUEST"
            message.add_attachment(meeting["ics"].encode(), maintype="text", subtype="calendar",
                                   filename="termin.ics", params={"method": method})  # fmt: skip
        else:
            message.set_content(brief_text(handoff, self.inbox_url, handoff.get("reader_language") or "de"))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.user:
                    smtp.starttls()
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc


def retry_delay(attempts: int) -> dt.timedelta:
    """10 s, 20 s, 40 s, … at most an hour."""
    return min(dt.timedelta(seconds=FIRST_RETRY_S * 2 ** (attempts - 1)), MAX_RETRY)


def deliver_due(
    session_factory: sessionmaker,
    channels: Mapping[str, Channel],
    now: Callable[[], dt.datetime],
    limit: int = 20,
    reader_language: Callable[[str | None], str] = lambda assignee: "de",
    team_address: Callable[[str], str | None] = lambda kind: None,
    meeting_notice: Callable[[str], Mapping[str, Any] | None] = lambda topic: None,
) -> int:
    """Delivers what is due; returns how many deliveries succeeded. The brief explains the journey slots
    in `reader_language(assignee)`, the language of the salesperson it is for; e-mail goes to `team_address(kind)`
    when there is one (the support team's for a support handoff), else to the sales address. A row of a meeting
    (topic `meeting:…`) carries `meeting_notice(topic)` instead of the brief; nothing is sent for a meeting that is
    gone."""
    started = now()
    with session_factory() as session, session.begin():
        rows = session.execute(
            select(OutboxRow).where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= started)
            .order_by(OutboxRow.next_attempt_at).limit(limit)
        ).scalars().all()  # fmt: skip
        claimed = [(row.id, row.handoff_id, row.channel, row.topic) for row in rows]
        for row in rows:  # the lease: a crash during delivery makes the row due again later
            row.next_attempt_at = started + LEASE
    delivered = 0
    for outbox_id, handoff_id, channel_name, topic in claimed:
        with session_factory() as session:
            handoff = handoff_dict(session.get(HandoffRow, handoff_id))
        handoff["reader_language"] = reader_language(handoff.get("assignee"))
        handoff["send_to"] = team_address(handoff.get("kind") or "sales")
        meeting = meeting_notice(topic) if topic.startswith("meeting:") else None
        channel = channels.get(channel_name)
        error = None
        try:
            if channel is None:
                raise DeliveryError(f"channel {channel_name!r} is not configured")
            if meeting is not None:
                channel.send({**handoff, "meeting": meeting})
            elif not topic.startswith("meeting:"):  # a meeting deleted meanwhile: nothing to say
                channel.send(handoff)
        except DeliveryError as exc:
            error = str(exc)
        with session_factory() as session, session.begin():
            row = session.get(OutboxRow, outbox_id)
            row.attempts += 1
            if error is None:
                row.status, row.delivered_at, row.last_error = "delivered", now(), None
                delivered += 1
            else:
                row.last_error = error
                row.next_attempt_at = now() + retry_delay(row.attempts)
                logger.warning("Handoff %s not delivered via %s (attempt %s, next try %s): %s", handoff_id,
                               channel_name, row.attempts, as_utc(row.next_attempt_at).isoformat(), error)  # fmt: skip
    return delivered
