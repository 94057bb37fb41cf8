"""The audit trail of data-rights requests: when, by whom, what, how many rows per table. It holds no personal data:
neither the selector's value (an e-mail address, a phone number, a conversation id) nor anything deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, String, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import Base

ACTIONS = ("export", "delete", "retention")


class PrivacyAuditRow(Base):
    __tablename__ = "privacy_audit"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime(timezone=True), nullable=False, index=True)
    actor = Column(String(120), nullable=False)  # "cli:<os user>", "api:<account>", "chat", "retention"
    action = Column(String(20), nullable=False)  # one of ACTIONS
    selector = Column(String(20), nullable=False)  # conversation, email, phone; "expired" for retention
    conversations = Column(Integer, nullable=False)
    rows = Column(JSON, nullable=False)  # {table: rows}


@dataclass(frozen=True)
class AuditRecord:
    at: dt.datetime
    actor: str
    action: str
    selector: str
    conversations: int
    rows: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "actor": self.actor, "action": self.action, "selector": self.selector,
                "conversations": self.conversations, "rows": self.rows}  # fmt: skip


def write(session: Session, record: AuditRecord) -> None:
    """Adds the record in the caller's transaction (a deletion and its record commit together)."""
    if record.action not in ACTIONS:
        raise ValueError(f"unknown audit action {record.action!r}")
    session.add(PrivacyAuditRow(at=record.at, actor=record.actor[:120], action=record.action,
                                selector=record.selector, conversations=record.conversations,
                                rows=dict(record.rows)))  # fmt: skip


def recent(session_factory: sessionmaker, limit: int = 50) -> list[AuditRecord]:
    """The newest records first."""
    with session_factory() as session:
        rows = session.execute(select(PrivacyAuditRow).order_by(PrivacyAuditRow.id.desc()).limit(limit)).scalars()
        return [AuditRecord(r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.timezone.utc), r.actor, r.action,
                            r.selector, r.conversations, dict(r.rows)) for r in rows]  # fmt: skip
