"""What the journey dashboard counts, filled from Rasa's `events` table by bot/analytics/ingest.py (never on the
chat's path): one row per conversation, daily counts of phase changes and of questions, and the messages the bot did
not understand; a report over 100,000 conversations reads these instead of parsing millions of events."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from bot.db import Base


class ConversationFacts(Base):
    """A conversation as the dashboard sees it: when, in which language, from which touchpoint, how far it got."""

    __tablename__ = "analytics_conversations"
    # the report reads every figure of a period from this index alone
    __table_args__ = (Index("ix_analytics_conversations_mix", "started_at", "language", "reached", "phase", "persona",
                            "segment", "touchpoint"),)  # fmt: skip

    sender_id = Column(String(255), primary_key=True)
    started_at = Column(DateTime(timezone=True), nullable=False)
    last_at = Column(DateTime(timezone=True), nullable=False)
    language = Column(String(2))
    touchpoint = Column(String(20))  # the first one the widget reported
    phase = Column(String(20))  # the latest
    # every phase it was ever in, one bit each (bot/analytics/ingest.py PHASE_BIT)
    reached = Column(Integer, nullable=False, default=0)
    persona = Column(String(30))
    segment = Column(String(3))
    messages = Column(Integer, nullable=False, default=0)


class PhaseTransitions(Base):
    """How many conversations moved from one journey phase to another on a day ("" for none: their first phase)."""

    __tablename__ = "analytics_transitions_daily"

    day = Column(String(10), primary_key=True)  # YYYY-MM-DD (UTC)
    language = Column(String(2), primary_key=True)  # "" when not known yet
    from_phase = Column(String(20), primary_key=True)
    to_phase = Column(String(20), primary_key=True)
    count = Column(Integer, nullable=False)


class Questions(Base):
    """How often visitors asked for an intent on a day, by the phase they were in ("" before any), when the bot
    understood them."""

    __tablename__ = "analytics_questions_daily"

    day = Column(String(10), primary_key=True)
    language = Column(String(2), primary_key=True)
    phase = Column(String(20), primary_key=True)
    intent = Column(String(100), primary_key=True)
    count = Column(Integer, nullable=False)


class Missed(Base):
    """A message the bot did not understand (fallback or low confidence), without contact details."""

    __tablename__ = "analytics_missed"
    __table_args__ = (Index("ix_analytics_missed_at", "at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False)
    language = Column(String(2), nullable=False)
    text = Column(Text, nullable=False)


class Progress(Base):
    """How far the ingestion has read Rasa's events (the id of the last one)."""

    __tablename__ = "analytics_progress"

    name = Column(String(40), primary_key=True)
    last_event_id = Column(Integer, nullable=False)
