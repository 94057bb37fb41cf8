"""The referral programme (issue 16): a customer's personal link and code, generated once and stored; a visitor who
arrives with it (`?ref=CODE` on the website) gets the touchpoint `referral`, and the customer who referred them is
credited, once per visitor.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.db import Base

#: codes are short enough to read out and type: 8 characters without 0/O and 1/I/L (bot/journey/touchpoint.py reads
#: them from the page a visitor arrived on)
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class ReferralCode(Base):
    __tablename__ = "referral_codes"

    code = Column(String(16), primary_key=True)
    #: the conversation that asked for it, and who it belongs to (a customer number, else that conversation)
    conversation_id = Column(String(255), nullable=False, index=True)
    customer = Column(String(100), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False)


class ReferralCredit(Base):
    """A visitor who arrived with a code: one row per visitor's conversation."""

    __tablename__ = "referral_credits"

    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(16), ForeignKey("referral_codes.code", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False)


def code_for(session_factory: sessionmaker, customer: str, conversation_id: str, now: dt.datetime) -> str:
    """The customer's code: the one they were given before, or a new one."""
    for _ in range(5):
        with session_factory() as session:
            known = session.execute(select(ReferralCode.code).where(ReferralCode.customer == customer)).scalar()
        if known:
            return str(known)
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        try:
            with session_factory.begin() as session:
                session.add(ReferralCode(code=code, conversation_id=conversation_id, customer=customer,
                                         created_at=now))  # fmt: skip
            return code
        except IntegrityError:
            continue  # the customer got one meanwhile (another message), or the code was taken: look again
    raise RuntimeError("no referral code could be stored")


def link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/?ref={code}"


def credit(session_factory: sessionmaker, code: str, conversation_id: str, now: dt.datetime) -> bool:
    """Credits the code's owner with this visitor; False for a code nobody was given, the owner's own conversation,
    or a visitor already credited."""
    with session_factory() as session:
        owner = session.execute(select(ReferralCode.conversation_id).where(ReferralCode.code == code)).scalar()
    if owner is None or owner == conversation_id:
        return False
    try:
        with session_factory.begin() as session:
            session.add(ReferralCredit(code=code, conversation_id=conversation_id, created_at=now))
    except IntegrityError:
        return False
    return True
