"""Reading and updating handoffs, for the JSON API, the inbox and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

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
        "language": row.language, "company_size": row.company_size, "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }  # fmt: skip
    if full:
        data.update({
            "consent": {"at": _iso(row.consent_at), "version": row.consent_version, "text": row.consent_text},
            "roi": row.roi, "products_shown": row.products_shown, "reviews_shown": row.reviews_shown,
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


def list_handoffs(session_factory: sessionmaker, where: HandoffFilter, limit: int = 200) -> list[dict[str, Any]]:
    """Newest first."""
    query = select(HandoffRow).order_by(HandoffRow.created_at.desc(), HandoffRow.id.desc()).limit(limit)
    if where.conversation_id:
        query = query.where(HandoffRow.conversation_id == where.conversation_id)
    if where.status:
        query = query.where(HandoffRow.status == where.status)
    if where.assignee:
        query = query.where(HandoffRow.assignee == where.assignee)
    with session_factory() as session:
        return [handoff_dict(row, full=False) for row in session.execute(query).scalars()]


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
