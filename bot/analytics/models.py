"""What the journey dashboard counts, one row per conversation, per phase change and per visitor message, filled from
Rasa's `events` table by bot/analytics/ingest.py (never on the chat's path), so that a report over 100,000
conversations reads a few small indexed tables instead of parsing millions of events."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Index, Integer, String, Text

from bot.db import Base


class ConversationFacts(Base):
    """A conversation as the dashboard sees it: when, in which language, from which touchpoint, how far it got."""

    __tablename__ = "analytics_conversations"

    sender_id = Column(String(255), primary_key=True)
    started_at = Column(DateTime(timezone=True), nullable=False, index=True)
    last_at = Column(DateTime(timezone=True), nullable=False)
    language = Column(String(2))
    touchpoint = Column(String(20))  # the first one the widget reported
    phase = Column(String(20))  # the latest
    # every phase it was ever in, one bit each (bot/analytics/ingest.py PHASE_BIT)
    reached = Column(Integer, nullable=False, default=0)
    persona = Column(String(30))
    segment = Column(String(3))
    messages = Column(Integer, nullable=False, default=0)


class PhaseTransition(Base):
    """The journey phase of a conversation changed (from None: its first phase)."""

    __tablename__ = "analytics_transitions"
    __table_args__ = (Index("ix_analytics_transitions_at", "at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False)
    from_phase = Column(String(20))
    to_phase = Column(String(20), nullable=False)


class Turn(Base):
    """A visitor's message: what the bot read in it, in which phase; the text only when the bot did not understand
    it (the top not-understood messages)."""

    __tablename__ = "analytics_turns"
    __table_args__ = (Index("ix_analytics_turns_at", "at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False)
    intent = Column(String(100))
    confidence = Column(Float)
    phase = Column(String(20))
    understood = Column(Boolean, nullable=False)
    text = Column(Text)


class Progress(Base):
    """How far the ingestion has read Rasa's events (the id of the last one)."""

    __tablename__ = "analytics_progress"

    name = Column(String(40), primary_key=True)
    last_event_id = Column(Integer, nullable=False)
