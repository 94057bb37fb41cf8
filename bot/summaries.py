"""One-page summaries for decision makers: stored per request, opened through a secret link."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column, DateTime, String
from sqlalchemy.orm import sessionmaker

from bot.db import Base


class SummaryRow(Base):
    __tablename__ = "boss_summaries"

    token = Column(String(64), primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    language = Column(String(2), nullable=False)
    product_id = Column(String(64), nullable=False)
    roi = Column(JSON)
    created_at = Column(DateTime(timezone=True), nullable=False)


@dataclass(frozen=True)
class Summary:
    token: str
    conversation_id: str
    language: str
    product_id: str
    roi: dict[str, Any] | None
    created_at: dt.datetime

    def expired(self, now: dt.datetime, max_age: dt.timedelta) -> bool:
        """Links stop working `max_age` after the summary was made (SUMMARY_LINK_DAYS)."""
        created = self.created_at if self.created_at.tzinfo else self.created_at.replace(tzinfo=dt.timezone.utc)
        return now - created > max_age


def create_summary(
    session_factory: sessionmaker,
    conversation_id: str,
    language: str,
    product_id: str,
    roi: dict[str, Any] | None,
    now: dt.datetime | None = None,
) -> Summary:
    """Stores what the summary shows; the token in its link cannot be guessed."""
    created = now or dt.datetime.now(dt.timezone.utc)
    summary = Summary(secrets.token_urlsafe(16), conversation_id, language, product_id, roi, created)
    with session_factory() as session, session.begin():
        session.add(SummaryRow(token=summary.token, conversation_id=conversation_id, language=language,
                               product_id=product_id, roi=roi, created_at=created))  # fmt: skip
    return summary


def find_summary(session_factory: sessionmaker, token: str) -> Summary | None:
    with session_factory() as session:
        row = session.get(SummaryRow, token)
        if row is None:
            return None
        return Summary(row.token, row.conversation_id, row.language, row.product_id, row.roi, row.created_at)
