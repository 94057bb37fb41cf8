"""Reading and updating handoffs, for the JSON API, the inbox and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import sessionmaker

from bot.db import as_utc
from bot.sales.models import STATUSES, HandoffActivityRow, HandoffNoteRow, HandoffRow


class HandoffUpdateError(ValueError):
    """A change that is not allowed (unknown status or salesperson, empty note)."""


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).isoformat()


def handoff_dict(row: HandoffRow, full: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id, "conversation_id": row.conversation_id, "kind": row.kind or "sales", "status": row.status,
        "assignee": row.assignee, "name": row.name, "company": row.company, "email": row.email, "phone": row.phone,
        "callback_time": row.callback_time, "segment": row.segment, "phase": row.phase, "persona": row.persona,
        "language": row.language, "company_size": row.company_size, "roi": row.roi, "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }  # fmt: skip
    if full:
        data.update({
            "consent": {"at": _iso(row.consent_at), "version": row.consent_version, "text": row.consent_text},
            "products_shown": row.products_shown, "reviews_shown": row.reviews_shown,
            "questions": row.questions, "touchpoint": row.touchpoint, "transcript": row.transcript,
            "journey_explanation": row.journey_explanation,
            "notes": [{"author": n.author, "text": n.text, "at": _iso(n.created_at)} for n in row.notes],
            "activity": [{"at": _iso(a.at), "author": a.author, "action": a.action, "detail": a.detail}
                         for a in row.activity],
            "deliveries": [{"channel": d.channel, "topic": d.topic, "status": d.status, "attempts": d.attempts,
                            "last_error": d.last_error, "delivered_at": _iso(d.delivered_at)} for d in row.deliveries],
        })  # fmt: skip
    return data


@dataclass(frozen=True)
class HandoffFilter:
    conversation_id: str | None = None
    status: str | None = None
    assignee: str | None = None
    #: words in the name, company or e-mail address (case-insensitive)
    text: str | None = None
    #: received on or after / on or before these days (UTC)
    since: dt.date | None = None
    until: dt.date | None = None


def _filtered(query: Any, where: HandoffFilter) -> Any:
    if where.conversation_id:
        query = query.where(HandoffRow.conversation_id == where.conversation_id)
    if where.status:
        query = query.where(HandoffRow.status == where.status)
    if where.assignee:
        query = query.where(HandoffRow.assignee == where.assignee)
    for word in (where.text or "").split()[:5]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(column.ilike(pattern, escape="\\")
                                  for column in (HandoffRow.name, HandoffRow.company, HandoffRow.email))))  # fmt: skip
    if where.since:
        query = query.where(HandoffRow.created_at >= dt.datetime.combine(where.since, dt.time(), dt.timezone.utc))
    if where.until:
        end = dt.datetime.combine(where.until + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
        query = query.where(HandoffRow.created_at < end)
    return query


def list_handoffs(session_factory: sessionmaker, where: HandoffFilter, limit: int = 200, offset: int = 0
                  ) -> list[dict[str, Any]]:  # fmt: skip
    """Newest first."""
    query = _filtered(select(HandoffRow), where)
    query = query.order_by(HandoffRow.created_at.desc(), HandoffRow.id.desc()).limit(limit).offset(offset)
    with session_factory() as session:
        return [handoff_dict(row, full=False) for row in session.execute(query).scalars()]


def count_handoffs(session_factory: sessionmaker, where: HandoffFilter) -> int:
    with session_factory() as session:
        return int(session.execute(_filtered(select(func.count(HandoffRow.id)), where)).scalar() or 0)


def newest_id(session_factory: sessionmaker) -> int:
    """The id of the newest handoff (0 without any): the inbox's list notices new ones by it."""
    with session_factory() as session:
        return int(session.execute(select(func.max(HandoffRow.id))).scalar() or 0)


def earlier_with_same_email(session_factory: sessionmaker, handoffs: list[dict[str, Any]], days: int
                            ) -> dict[int, list[int]]:  # fmt: skip
    """For each handoff with an e-mail address: the ids of earlier handoffs with the same address (any case) within
    `days` before it, newest first. Duplicate leads are linked, not merged: each keeps its own consent and brief."""
    emails = {str(h["email"]).strip().lower() for h in handoffs if h.get("email")}
    if not emails or days <= 0:
        return {}
    with session_factory() as session:
        rows = session.execute(select(HandoffRow.id, HandoffRow.email, HandoffRow.created_at)
                               .where(func.lower(HandoffRow.email).in_(emails))).all()  # fmt: skip
    found: dict[int, list[int]] = {}
    for h in handoffs:
        email = str(h.get("email") or "").strip().lower()
        created = dt.datetime.fromisoformat(h["created_at"]) if h.get("created_at") else None
        if not email or created is None:
            continue
        window = created - dt.timedelta(days=days)
        earlier = [(as_utc(at), other) for other, address, at in rows
                   if other != h["id"] and str(address).lower() == email and window <= as_utc(at) <= created]
        if earlier:
            found[h["id"]] = [other for _, other in sorted(earlier, reverse=True)]
    return found


def get_handoff(session_factory: sessionmaker, handoff_id: int) -> dict[str, Any] | None:
    with session_factory() as session:
        row = session.get(HandoffRow, handoff_id)
        return handoff_dict(row) if row else None


def update_handoff(
    session_factory: sessionmaker,
    handoff_id: int,
    *,
    status: str | None = None,
    assignee: str | None = None,
    note: str | None = None,
    author: str,
    known_assignees: set[str],
    now: dt.datetime,
) -> dict[str, Any] | None:
    """Changes status and/or assignee and/or adds a note, in one transaction; None if no such handoff.

    Every change is recorded with `author` and `now` in the audit trail (`activity`): setting status
    "claimed" together with an assignee is one "claim"; otherwise "status" and "assignee" changes
    (old → new), and "note".
    """
    if status is not None and status not in STATUSES:
        raise HandoffUpdateError(f"status must be one of {', '.join(STATUSES)}")
    if assignee is not None and assignee not in known_assignees:
        raise HandoffUpdateError(f"unknown salesperson {assignee!r}")
    if note is not None and not note.strip():
        raise HandoffUpdateError("a note cannot be empty")
    with session_factory() as session, session.begin():
        row = session.get(HandoffRow, handoff_id)
        if row is None:
            return None

        def record(action: str, detail: str) -> None:
            row.activity.append(HandoffActivityRow(at=now, author=author, action=action, detail=detail))

        new_status = row.status if status is None else status
        new_assignee = row.assignee if assignee is None else assignee
        if status == "claimed" and assignee is not None:
            if (new_status, new_assignee) != (row.status, row.assignee):
                record("claim", f"{_shown(row.status)} → claimed, {_shown(row.assignee)} → {assignee}")
        else:
            if new_status != row.status:
                record("status", f"{_shown(row.status)} → {new_status}")
            if new_assignee != row.assignee:
                record("assignee", f"{_shown(row.assignee)} → {new_assignee}")
        row.status, row.assignee = new_status, new_assignee
        if note is not None:
            row.notes.append(HandoffNoteRow(author=author, text=note.strip(), created_at=now))
            record("note", note.strip())
        row.updated_at = now
        session.flush()
        return handoff_dict(row)


def _shown(value: str | None) -> str:
    return value or "–"
