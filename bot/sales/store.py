"""Reading and updating handoffs, for the JSON API, the inbox and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.sales.models import STATUSES, HandoffNoteRow, HandoffRow


class HandoffUpdateError(ValueError):
    """A change that is not allowed (unknown status or salesperson, empty note)."""


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).isoformat()


def handoff_dict(row: HandoffRow, full: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id, "conversation_id": row.conversation_id, "status": row.status, "assignee": row.assignee,
        "name": row.name, "company": row.company, "email": row.email, "phone": row.phone,
        "callback_time": row.callback_time, "segment": row.segment, "phase": row.phase, "persona": row.persona,
        "language": row.language, "company_size": row.company_size, "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }  # fmt: skip
    if full:
        data.update({
            "consent": {"at": _iso(row.consent_at), "version": row.consent_version, "text": row.consent_text},
            "roi": row.roi, "products_shown": row.products_shown, "reviews_shown": row.reviews_shown,
            "questions": row.questions, "touchpoint": row.touchpoint, "transcript": row.transcript,
            "notes": [{"author": n.author, "text": n.text, "at": _iso(n.created_at)} for n in row.notes],
            "deliveries": [{"channel": d.channel, "status": d.status, "attempts": d.attempts,
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
    """Changes status and/or assignee and/or adds a note, in one transaction; None if no such handoff."""
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
        if status is not None:
            row.status = status
        if assignee is not None:
            row.assignee = assignee
        if note is not None:
            row.notes.append(HandoffNoteRow(author=author, text=note.strip(), created_at=now))
        row.updated_at = now
        session.flush()
        return handoff_dict(row)
