"""Sales staff accounts for the inbox: scrypt-hashed passwords, server-side sessions with a CSRF token."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, ForeignKey, String, delete
from sqlalchemy.orm import sessionmaker

from bot.db import Base

SESSION_LIFETIME = dt.timedelta(hours=12)
_N, _R, _P = 2**14, 8, 1


class SalesUserRow(Base):
    __tablename__ = "sales_users"

    username = Column(String(100), primary_key=True)
    password_hash = Column(String(300), nullable=False)
    salesperson_id = Column(String(100))  # the id in data/sales/team.yml, for "claim"
    created_at = Column(DateTime(timezone=True), nullable=False)


class SalesSessionRow(Base):
    __tablename__ = "sales_sessions"

    token_hash = Column(String(64), primary_key=True)  # only a hash of the cookie value is stored
    username = Column(String(100), ForeignKey("sales_users.username", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)


@dataclass(frozen=True)
class SignedIn:
    username: str
    salesperson_id: str | None
    csrf_token: str


class AccountError(ValueError):
    """A user that cannot be created (name taken, password too short)."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def add_user(session_factory: sessionmaker, username: str, password: str, salesperson_id: str | None,
             now: dt.datetime) -> None:  # fmt: skip
    if len(password) < 10:
        raise AccountError("the password needs at least 10 characters")
    with session_factory() as session, session.begin():
        if session.get(SalesUserRow, username) is not None:
            raise AccountError(f"user {username!r} exists already")
        session.add(SalesUserRow(username=username, password_hash=hash_password(password),
                                 salesperson_id=salesperson_id, created_at=now))  # fmt: skip


def sign_in(session_factory: sessionmaker, username: str, password: str, now: dt.datetime) -> str | None:
    """A new session token (the cookie value), or None for a wrong name or password."""
    with session_factory() as session, session.begin():
        user = session.get(SalesUserRow, username)
        if user is None or not check_password(password, user.password_hash):
            return None
        token = secrets.token_urlsafe(32)
        session.execute(delete(SalesSessionRow).where(SalesSessionRow.expires_at < now))
        csrf = secrets.token_urlsafe(24)
        expires = now + SESSION_LIFETIME
        session.add(SalesSessionRow(token_hash=_hash_token(token), username=username, csrf_token=csrf,
                                    expires_at=expires))  # fmt: skip
        return token


def signed_in(session_factory: sessionmaker, token: str | None, now: dt.datetime) -> SignedIn | None:
    if not token:
        return None
    with session_factory() as session:
        row = session.get(SalesSessionRow, _hash_token(token))
        if row is None or _aware(row.expires_at) < now:
            return None
        user = session.get(SalesUserRow, row.username)
        return SignedIn(row.username, user.salesperson_id if user else None, row.csrf_token)


def sign_out(session_factory: sessionmaker, token: str) -> None:
    with session_factory() as session, session.begin():
        session.execute(delete(SalesSessionRow).where(SalesSessionRow.token_hash == _hash_token(token)))
