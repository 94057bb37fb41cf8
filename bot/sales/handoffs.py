"""Creating a handoff: the brief from the conversation, routing, storage and outbox in one transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.sales.models import KINDS, HandoffRow, OutboxRow
from bot.sales.routing import Salesperson, Team, assign

# Intents whose messages are the visitor's own questions (for the brief).
QUESTION_PREFIXES = ("ask_", "request_", "order", "express_doubt")
_TEAM_SIZE = re.compile(
    r"(\d[\d.,]*)\s*(?:mitarbeiter\w*|leute|leuten|personen|beschäftigte\w*|angestellte\w*|kollegen|nutzer\w*|"
    r"user\w*|employees|people|staff|users|seats)",
    re.IGNORECASE,
)  # fmt: skip


@dataclass(frozen=True)
class Brief:
    """What the bot learned, for the salesperson."""

    segment: str | None = None
    phase: str | None = None
    persona: str | None = None
    language: str = "de"
    company_size: int | None = None
    roi: Mapping[str, Any] | None = None
    products_shown: Sequence[str] = ()
    reviews_shown: Sequence[str] = ()
    questions: Sequence[str] = ()
    touchpoint: str | None = None
    transcript: Sequence[Mapping[str, Any]] = ()
    #: why phase, persona, segment and language have their values (the journey_explanation slot)
    explanation: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Contact:
    name: str | None
    company: str | None
    email: str | None
    phone: str | None
    callback_time: str | None = None


@dataclass(frozen=True)
class Consent:
    at: dt.datetime
    version: str
    text: str


@dataclass(frozen=True)
class NewHandoff:
    id: int
    created: bool  # False: this conversation already had a handoff, which is returned
    assignee: Salesperson | None
    channels: Sequence[str] = field(default_factory=tuple)


def company_size(texts: Iterable[str]) -> int | None:
    """ "Wir sind 25 Leute", "a company of 50 employees": the last team size the visitor named."""
    size = None
    for text in texts:
        for match in _TEAM_SIZE.finditer(text):
            digits = re.sub(r"\D", "", match.group(1))
            if digits:
                size = int(digits)
    return size


def brief_from_events(events: Sequence[Mapping[str, Any]], slots: Mapping[str, Any]) -> Brief:
    """The brief from a Rasa tracker's events and current slots."""
    user_texts: list[str] = []
    questions: list[str] = []
    touchpoint = None
    transcript: list[dict[str, Any]] = []
    products: list[str] = []
    for event in events:
        kind = event.get("event")
        stamp = event.get("timestamp")
        when = dt.datetime.fromtimestamp(stamp, dt.timezone.utc).isoformat() if stamp else None
        if kind == "user":
            text = event.get("text") or ""
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
            if text.startswith("/"):
                continue
            user_texts.append(text)
            transcript.append({"from": "visitor", "text": text, "at": when})
            if intent.startswith(QUESTION_PREFIXES):
                questions.append(text)
            if intent == "inform_source":
                touchpoint = text
        elif kind == "bot" and event.get("text"):
            transcript.append({"from": "bot", "text": event["text"], "at": when})
        elif kind == "slot" and event.get("name") == "product" and event.get("value"):
            if event["value"] not in products:
                products.append(event["value"])
    roi = slots.get("roi_result")
    explanation = slots.get("journey_explanation")
    if slots.get("touchpoint"):
        touchpoint = f"{slots['touchpoint']}" + (f" – {touchpoint}" if touchpoint else "")
    return Brief(
        segment=slots.get("segment"), phase=slots.get("journey_phase"), persona=slots.get("persona"),
        language=slots.get("language") or "de", company_size=company_size(user_texts),
        roi=roi if isinstance(roi, Mapping) else None, products_shown=tuple(products),
        reviews_shown=tuple(slots.get("reviews_shown") or ()), questions=tuple(questions), touchpoint=touchpoint,
        transcript=tuple(transcript), explanation=explanation if isinstance(explanation, Mapping) else None,
    )  # fmt: skip


def _last_assigned(session: Any) -> dict[str, dt.datetime]:
    rows = session.execute(
        select(HandoffRow.assignee, func.max(HandoffRow.created_at)).group_by(HandoffRow.assignee)
    ).all()
    result = {}
    for assignee, created in rows:
        if assignee and created is not None:
            result[assignee] = created if created.tzinfo else created.replace(tzinfo=dt.timezone.utc)
    return result


def create_handoff(
    session_factory: sessionmaker,
    conversation_id: str,
    contact: Contact,
    consent: Consent,
    brief: Brief,
    team: Team,
    channels: Sequence[str],
    now: dt.datetime,
    kind: str = "sales",
) -> NewHandoff:
    """Assigns a salesperson (for kind `support`, someone of the support team) and stores the handoff with one
    outbox entry per channel, in one transaction. A conversation has at most one handoff of each kind (KINDS)."""
    if kind not in KINDS:
        raise ValueError(f"unknown handoff kind {kind!r}; use one of {', '.join(KINDS)}")
    with session_factory() as session, session.begin():
        existing = session.execute(
            select(HandoffRow).where(HandoffRow.conversation_id == conversation_id, HandoffRow.kind == kind)
        ).scalar_one_or_none()
        if existing is not None:
            person = team.people.get(existing.assignee or "")
            return NewHandoff(existing.id, False, person, tuple(d.channel for d in existing.deliveries))
        product = brief.products_shown[-1] if brief.products_shown else None
        facts = {"language": brief.language, "product": product, "persona": brief.persona, "segment": brief.segment,
                 "kind": kind}  # fmt: skip
        person = assign(team, facts, _last_assigned(session))
        row = HandoffRow(
            conversation_id=conversation_id, kind=kind, name=contact.name, company=contact.company, email=contact.email,
            phone=contact.phone, callback_time=contact.callback_time, consent_at=consent.at,
            consent_version=consent.version, consent_text=consent.text, segment=brief.segment, phase=brief.phase,
            persona=brief.persona, language=brief.language, company_size=brief.company_size,
            roi=dict(brief.roi) if brief.roi else None, products_shown=list(brief.products_shown),
            reviews_shown=list(brief.reviews_shown), questions=list(brief.questions), touchpoint=brief.touchpoint,
            transcript=list(brief.transcript), journey_explanation=dict(brief.explanation or {}) or None,
            status="new", assignee=person.id, created_at=now, updated_at=now,
        )  # fmt: skip
        row.deliveries = [OutboxRow(channel=channel, status="pending", attempts=0, next_attempt_at=now)
                          for channel in channels]  # fmt: skip
        session.add(row)
        session.flush()
        return NewHandoff(row.id, True, person, tuple(channels))


def complete_handoff(
    session_factory: sessionmaker,
    handoff_id: int,
    now: dt.datetime,
    *,
    name: str | None = None,
    company: str | None = None,
    callback_time: str | None = None,
) -> None:
    """Adds what the visitor told after consent: name and company if they were missing, callback time."""
    with session_factory() as session, session.begin():
        row = session.get(HandoffRow, handoff_id)
        if row is None:
            return
        row.name = row.name or name
        row.company = row.company or company
        row.callback_time = callback_time or row.callback_time
        row.updated_at = now
