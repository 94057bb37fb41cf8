"""Handoffs to sales, their notes, their audit trail, and the outbox that notifies the sales team."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import relationship

from bot.db import Base

STATUSES = ("new", "claimed", "contacted", "won", "lost")
#: what the visitor wants from a person: sales (a prospect), support (a customer unhappy or stuck, routed to the
#: support team in data/sales/team.yml) or upsell (a customer who wants more seats or sites)
KINDS = ("sales", "support", "upsell")
ACTIVITY_ACTIONS = ("claim", "status", "assignee", "note", "live", "meeting")
#: a live chat (bot/sales/live.py): the visitor waits for a person, a salesperson chats, it is being ended, it
#: ended, or nobody came
LIVE_STATES = ("waiting", "active", "ending", "ended", "missed")


class HandoffRow(Base):
    __tablename__ = "handoffs"
    # routing reads each salesperson's latest handoff (bot/sales/handoffs.py `_last_assigned`) from this index
    # instead of every stored handoff with its transcript
    # one handoff of each kind per conversation: a customer may ask for support and for more sites
    __table_args__ = (Index("ix_handoffs_assignee_created_at", "assignee", "created_at"),
                      UniqueConstraint("conversation_id", "kind", name="uq_handoffs_conversation_kind"))  # fmt: skip

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False)
    kind = Column(String(20), nullable=False, default="sales", server_default="sales")  # one of KINDS
    name = Column(String(200))
    company = Column(String(300))
    email = Column(String(320))
    phone = Column(String(40))
    callback_time = Column(String(300))
    consent_at = Column(DateTime(timezone=True), nullable=False)
    consent_version = Column(String(40), nullable=False)
    consent_text = Column(Text, nullable=False)
    segment = Column(String(3))
    phase = Column(String(20))
    persona = Column(String(30))
    language = Column(String(2), nullable=False)
    company_size = Column(Integer)
    roi = Column(JSON)
    products_shown = Column(JSON, nullable=False)
    reviews_shown = Column(JSON, nullable=False)
    questions = Column(JSON, nullable=False)
    touchpoint = Column(String(300))
    transcript = Column(JSON, nullable=False)
    journey_explanation = Column(JSON)  # why phase, persona, segment, language (bot/journey/explain.py)
    status = Column(String(20), nullable=False, default="new")
    assignee = Column(String(100))
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)

    notes = relationship("HandoffNoteRow", cascade="all, delete-orphan", order_by="HandoffNoteRow.id")
    deliveries = relationship("OutboxRow", cascade="all, delete-orphan", order_by="OutboxRow.id")
    activity = relationship("HandoffActivityRow", cascade="all, delete-orphan", order_by="HandoffActivityRow.id")
    live_chats = relationship("LiveChatRow", cascade="all, delete-orphan", order_by="LiveChatRow.id")
    meetings = relationship("MeetingRow", cascade="all, delete-orphan", order_by="MeetingRow.id")


class HandoffNoteRow(Base):
    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(100), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)


class HandoffActivityRow(Base):
    """The audit trail: who changed what on a handoff, and when (status, claim, assignee, note)."""

    __tablename__ = "handoff_activity"

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False)
    author = Column(String(100), nullable=False)  # an inbox user name, "api" or "cli"
    action = Column(String(20), nullable=False)  # one of ACTIVITY_ACTIONS
    detail = Column(Text, nullable=False)


class OutboxRow(Base):
    """One notification of one handoff on one channel; kept until delivered, with its last error."""

    __tablename__ = "handoff_outbox"
    # one notification per channel and topic: the new handoff, then each booking, rebooking or cancellation of a
    # meeting (`meeting:<id>:<sequence>`, bot/sales/meetings.py)
    __table_args__ = (UniqueConstraint("handoff_id", "channel", "topic", name="uq_handoff_outbox_topic"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False)
    channel = Column(String(40), nullable=False)
    topic = Column(String(60), nullable=False, default="handoff", server_default="handoff")
    status = Column(String(20), nullable=False, default="pending")  # pending | delivered
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False)
    last_error = Column(Text)
    delivered_at = Column(DateTime(timezone=True))


class LiveChatRow(Base):
    """A visitor's wish to chat with a person now, and the chat once a salesperson took it (bot/sales/live.py). The
    messages themselves are events of the conversation (Rasa's tracker store); this row counts them."""

    __tablename__ = "live_chats"
    __table_args__ = (Index("ix_live_chats_state", "state"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    language = Column(String(2), nullable=False)
    state = Column(String(20), nullable=False)  # one of LIVE_STATES
    requested_at = Column(DateTime(timezone=True), nullable=False)
    claimed_at = Column(DateTime(timezone=True))
    salesperson = Column(String(100))  # the team file's id of who took it
    ended_at = Column(DateTime(timezone=True))
    messages = Column(Integer, nullable=False, default=0)  # the salesperson's


class SalesPresenceRow(Base):
    """When a salesperson last had the live chat queue open: the chat offers a person only while someone watches."""

    __tablename__ = "sales_presence"

    salesperson = Column(String(100), primary_key=True)
    seen_at = Column(DateTime(timezone=True), nullable=False)


class MeetingRow(Base):
    """A meeting the visitor booked in the chat with a salesperson (bot/sales/meetings.py). Booked meetings hold their
    slot: at most one booked meeting per salesperson and start, whatever the database."""

    __tablename__ = "meetings"
    __table_args__ = (
        Index("uq_meetings_booked_slot", "salesperson", "starts_at", unique=True,
              sqlite_where=text("state = 'booked'"), postgresql_where=text("state = 'booked'")),
    )  # fmt: skip

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False)
    salesperson = Column(String(100), nullable=False)
    starts_at = Column(DateTime(timezone=True), nullable=False)
    minutes = Column(Integer, nullable=False)
    time_zone = Column(String(60), nullable=False)  # the visitor's
    language = Column(String(2), nullable=False)
    state = Column(String(20), nullable=False)  # booked | cancelled
    sequence = Column(Integer, nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)  # of the secret in the visitor's link
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
