"""Sales staff accounts for the inbox: scrypt-hashed passwords, server-side sessions with a CSRF token,
and a back-off after failed sign-ins per account and per client address, kept in the database so that
every web-app process sees it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import Base, as_utc

logger = logging.getLogger(__name__)

SESSION_LIFETIME = dt.timedelta(hours=12)
_N, _R, _P = 2**14, 8, 1
# Checked when the user does not exist, so that an unknown name costs the same scrypt run as a known one.
_DUMMY_HASH = f"scrypt${_N}${_R}${_P}${'00' * 16}${'00' * 64}"
MAX_USERNAME = 100
#: the languages the inbox speaks (bot/web/i18n.py)
LANGUAGES = ("de", "en")


class SalesUserRow(Base):
    __tablename__ = "sales_users"

    username = Column(String(MAX_USERNAME), primary_key=True)
    password_hash = Column(String(300), nullable=False)
    salesperson_id = Column(String(100))  # the id in data/sales/team.yml, for "claim"
    created_at = Column(DateTime(timezone=True), nullable=False)
    #: what the account may use, space-separated (ROLES): the inbox (sales), the editor area (editor), the journey
    #: dashboard (marketing), everything (admin)
    roles = Column(String(100), nullable=False, server_default="sales")
    #: the language of the inbox for this account (de, en); each salesperson switches it in the header
    language = Column(String(2), nullable=False, server_default="de")


class SalesSessionRow(Base):
    __tablename__ = "sales_sessions"

    token_hash = Column(String(64), primary_key=True)  # only a hash of the cookie value is stored
    username = Column(String(100), ForeignKey("sales_users.username", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class ApiTokenRow(Base):
    """A personal API token of an account (`python -m bot.sales.cli add-token`): only its hash is stored; it acts with
    the account's roles (the privacy API needs admin)."""

    __tablename__ = "sales_api_tokens"

    token_hash = Column(String(64), primary_key=True)
    username = Column(String(100), ForeignKey("sales_users.username", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False)


class LoginFailureRow(Base):
    """Recent failed sign-ins of one account name (kind "account") or one client address (kind "address")."""

    __tablename__ = "sales_login_failures"

    kind = Column(String(10), primary_key=True)
    subject = Column(String(MAX_USERNAME), primary_key=True)  # the name as typed, or the address
    failures = Column(Integer, nullable=False)
    last_failure_at = Column(DateTime(timezone=True), nullable=False)
    locked_until = Column(DateTime(timezone=True))


@dataclass(frozen=True)
class SignedIn:
    username: str
    salesperson_id: str | None
    csrf_token: str
    roles: frozenset[str] = frozenset({"sales"})
    language: str = "de"

    def may(self, area: str) -> bool:
        """May use `area` ("sales": the inbox, "editor": the editor area); an admin may use every area."""
        return area in self.roles or "admin" in self.roles


@dataclass(frozen=True)
class ThrottlePolicy:
    """`threshold` failures (each within `window` of the one before, or of the end of the last lock) lock
    for `first_lock`; each further failure doubles the lock, up to `max_lock`."""

    threshold: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)
    first_lock: dt.timedelta = dt.timedelta(seconds=30)
    max_lock: dt.timedelta = dt.timedelta(minutes=15)

    def lock_after(self, failures: int) -> dt.timedelta:
        if failures < self.threshold:
            return dt.timedelta(0)
        return min(self.first_lock * 2 ** min(failures - self.threshold, 30), self.max_lock)


# An office behind one address may hold several salespeople, so an address gets more tries than an account.
ACCOUNT_POLICY = ThrottlePolicy(threshold=5)
ADDRESS_POLICY = ThrottlePolicy(threshold=20)


@dataclass(frozen=True)
class SignInResult:
    """A session token (the cookie value) when signed in; otherwise `retry_after` > 0 while locked."""

    token: str | None
    retry_after: int = 0  # whole seconds


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


#: the roles an account can have: sales (the inbox), editor (the editor area), marketing (the journey dashboard),
#: admin (everything)
ROLES = ("sales", "editor", "marketing", "admin")


def add_user(session_factory: sessionmaker, username: str, password: str, salesperson_id: str | None,
             now: dt.datetime, roles: Sequence[str] = ("sales",), language: str = "de") -> None:  # fmt: skip
    _check_roles(roles)
    if language not in LANGUAGES:
        raise AccountError(f"the language must be one of {', '.join(LANGUAGES)}")
    if not username or len(username) > MAX_USERNAME:
        raise AccountError(f"the user name needs 1 to {MAX_USERNAME} characters")
    if len(password) < 10:
        raise AccountError("the password needs at least 10 characters")
    with session_factory() as session, session.begin():
        if session.get(SalesUserRow, username) is not None:
            raise AccountError(f"user {username!r} exists already")
        session.add(SalesUserRow(username=username, password_hash=hash_password(password),
                                 salesperson_id=salesperson_id, created_at=now, roles=" ".join(roles),
                                 language=language))  # fmt: skip


def set_language(session_factory: sessionmaker, username: str, language: str) -> None:
    """The inbox's language for this account."""
    if language not in LANGUAGES:
        raise AccountError(f"the language must be one of {', '.join(LANGUAGES)}")
    with session_factory() as session, session.begin():
        user = session.get(SalesUserRow, username)
        if user is None:
            raise AccountError(f"there is no user {username!r}")
        user.language = language


def set_roles(session_factory: sessionmaker, username: str, roles: Sequence[str]) -> None:
    _check_roles(roles)
    with session_factory() as session, session.begin():
        user = session.get(SalesUserRow, username)
        if user is None:
            raise AccountError(f"there is no user {username!r}")
        user.roles = " ".join(roles)


def _check_roles(roles: Sequence[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise AccountError(f"unknown role(s) {', '.join(unknown)}; use {', '.join(ROLES)}" if unknown
                           else f"an account needs a role: {', '.join(ROLES)}")  # fmt: skip


def sign_in(session_factory: sessionmaker, username: str, password: str, now: dt.datetime) -> str | None:
    """A new session token (the cookie value), or None for a wrong name or password.

    An unknown name costs the same scrypt run as a known one, so the time taken does not tell which
    names exist. No throttling here: `attempt_sign_in` adds it.
    """
    with session_factory() as session, session.begin():
        user = session.get(SalesUserRow, username) if 0 < len(username) <= MAX_USERNAME else None
        password_ok = check_password(password, user.password_hash if user is not None else _DUMMY_HASH)
        if user is None or not password_ok:
            return None
        token = secrets.token_urlsafe(32)
        session.execute(delete(SalesSessionRow).where(SalesSessionRow.expires_at < now))
        csrf = secrets.token_urlsafe(24)
        expires = now + SESSION_LIFETIME
        session.add(SalesSessionRow(token_hash=_hash_token(token), username=username, csrf_token=csrf,
                                    expires_at=expires))  # fmt: skip
        return token


def _subjects(username: str, address: str) -> list[tuple[str, str, ThrottlePolicy]]:
    subjects = [("account", username[:MAX_USERNAME], ACCOUNT_POLICY)]
    if address:
        subjects.append(("address", address[:MAX_USERNAME], ADDRESS_POLICY))
    return subjects


def login_locked_for(session_factory: sessionmaker, username: str, address: str, now: dt.datetime) -> int:
    """Whole seconds until the account name and the address may try again (0: not locked)."""
    wait = dt.timedelta(0)
    with session_factory() as session:
        for kind, subject, _ in _subjects(username, address):
            row = session.get(LoginFailureRow, (kind, subject))
            if row is not None and row.locked_until is not None:
                wait = max(wait, as_utc(row.locked_until) - now)
    return math.ceil(wait.total_seconds()) if wait > dt.timedelta(0) else 0


def _count_failure(session: Session, kind: str, subject: str, policy: ThrottlePolicy, now: dt.datetime) -> None:
    row = session.execute(
        select(LoginFailureRow).where(LoginFailureRow.kind == kind, LoginFailureRow.subject == subject)
        .with_for_update()
    ).scalar_one_or_none()  # fmt: skip
    if row is None:
        row = LoginFailureRow(kind=kind, subject=subject, failures=0, last_failure_at=now)
        session.add(row)
    recent = as_utc(row.last_failure_at)
    if row.locked_until is not None:
        recent = max(recent, as_utc(row.locked_until))
    if now - recent > policy.window:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    lock = policy.lock_after(row.failures)
    if lock:
        row.locked_until = now + lock
        logger.warning("Sign-in locked for %d s after %d failed attempts: %s %r", lock.total_seconds(),
                       row.failures, kind, subject)  # fmt: skip


def record_login_failure(session_factory: sessionmaker, username: str, address: str, now: dt.datetime) -> None:
    """Counts a failed sign-in for the account name and the address; locks them when they reach their threshold."""
    for attempt in range(2):
        try:
            with session_factory() as session, session.begin():
                for kind, subject, policy in _subjects(username, address):
                    _count_failure(session, kind, subject, policy, now)
            return
        except IntegrityError:  # another process added the same row first: count again on its row
            if attempt:
                raise


def record_login_success(session_factory: sessionmaker, username: str) -> None:
    """A successful sign-in clears the account's failures (the address keeps its count)."""
    with session_factory() as session, session.begin():
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.kind == "account",
                                                      LoginFailureRow.subject == username[:MAX_USERNAME]))  # fmt: skip


def attempt_sign_in(session_factory: sessionmaker, username: str, password: str, address: str,
                    now: dt.datetime) -> SignInResult:  # fmt: skip
    """Sign in unless the account name or the address is locked; counts failures and locks after too many.

    While locked, even the right password is refused and not checked (and the attempt does not count).
    """
    wait = login_locked_for(session_factory, username, address, now)
    if wait:
        return SignInResult(None, wait)
    token = sign_in(session_factory, username, password, now)
    if token is None:
        record_login_failure(session_factory, username, address, now)
        return SignInResult(None, login_locked_for(session_factory, username, address, now))
    record_login_success(session_factory, username)
    return SignInResult(token)


def signed_in(session_factory: sessionmaker, token: str | None, now: dt.datetime) -> SignedIn | None:
    if not token:
        return None
    with session_factory() as session:
        row = session.get(SalesSessionRow, _hash_token(token))
        if row is None or as_utc(row.expires_at) < now:
            return None
        user = session.get(SalesUserRow, row.username)
        roles = frozenset((user.roles or "").split()) if user else frozenset()
        return SignedIn(row.username, user.salesperson_id if user else None, row.csrf_token, roles,
                        (user.language if user else None) or "de")  # fmt: skip


def sign_out(session_factory: sessionmaker, token: str) -> None:
    with session_factory() as session, session.begin():
        session.execute(delete(SalesSessionRow).where(SalesSessionRow.token_hash == _hash_token(token)))


#: how a personal API token starts, so that one pasted into the wrong place is recognisable (and found by scanners)
API_TOKEN_PREFIX = "jbt_"


def add_api_token(session_factory: sessionmaker, username: str, now: dt.datetime) -> str:
    """A new personal API token for the account; shown once, stored only as its hash."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_factory() as session, session.begin():
        if session.get(SalesUserRow, username) is None:
            raise AccountError(f"there is no user {username!r}")
        session.add(ApiTokenRow(token_hash=_hash_token(token), username=username, created_at=now))
    return token


def revoke_api_tokens(session_factory: sessionmaker, username: str) -> int:
    """Removes every API token of the account; how many there were."""
    with session_factory() as session, session.begin():
        return int(session.execute(delete(ApiTokenRow).where(ApiTokenRow.username == username)).rowcount or 0)


def account_of_api_token(session_factory: sessionmaker, token: str | None) -> SignedIn | None:
    """The account a personal API token belongs to, with its roles (no CSRF token: a bearer token is not sent by a
    browser on its own); None for an unknown token."""
    if not token or not token.startswith(API_TOKEN_PREFIX):
        return None
    with session_factory() as session:
        row = session.get(ApiTokenRow, _hash_token(token))
        user = session.get(SalesUserRow, row.username) if row is not None else None
        if user is None:
            return None
        return SignedIn(user.username, user.salesperson_id, "", frozenset((user.roles or "").split()))
