"""The sales inbox under attack: login throttling, equal cost for unknown users, session cookie,
logout, who may claim, and the audit trail of every change.

The pure functions of bot/sales/accounts.py and bot/sales/store.py run on a fresh SQLite file with
a clock the test drives; the rest runs against the real web app of the running bot (tests/running_bot.py)
and, for https cookies and the per-address back-off, a second web app with its own database.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import statistics
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import pytest

from bot.config import settings_from_env
from bot.db import create_tables, make_engine, make_session_factory
from bot.launcher import MODEL, web_part
from bot.sales.accounts import (
    ACCOUNT_POLICY,
    ADDRESS_POLICY,
    add_user,
    attempt_sign_in,
    sign_in,
    signed_in,
)
from bot.services import Services
from tests.running_bot import Bot, free_port, new_sender

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "correct-horse-battery"


# --- throttling and timing, as plain functions on a clock the test drives ------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    factory = services.session_factory
    add_user(factory, "erika", PASSWORD, None, T0)
    with caplog.at_level(logging.WARNING, logger="bot.sales.accounts"):
        results = [attempt_sign_in(factory, "erika", f"guess-{i}", "10.0.0.1", T0 + dt.timedelta(seconds=i))
                   for i in range(5)]  # fmt: skip
    assert [r.retry_after for r in results] == [0, 0, 0, 0, 30]
    locked = attempt_sign_in(factory, "erika", PASSWORD, "10.0.0.2", T0 + dt.timedelta(seconds=10))
    assert locked.token is None and locked.retry_after == 24  # locked at second 4 for 30 s
    lockouts = [r.getMessage() for r in caplog.records]
    assert len(lockouts) == 1 and "'erika'" in lockouts[0] and "30 s" in lockouts[0]
    assert all("guess" not in message for message in lockouts), "never log a password"
    later = attempt_sign_in(factory, "erika", PASSWORD, "10.0.0.2", T0 + dt.timedelta(seconds=35))
    assert later.token is not None and signed_in(factory, later.token, T0 + dt.timedelta(seconds=35))


def test_each_further_failure_doubles_the_lock_up_to_fifteen_minutes(services: Services) -> None:
    factory = services.session_factory
    now, waits = T0, []
    for _ in range(11):
        result = attempt_sign_in(factory, "nobody-here", "wrong-password", "", now)
        waits.append(result.retry_after)
        now += dt.timedelta(seconds=result.retry_after)  # try again the moment the lock ends
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900], "unknown names are throttled like known ones"
    assert ACCOUNT_POLICY.lock_after(50) == dt.timedelta(minutes=15)


def test_a_success_resets_the_account_and_quiet_time_forgets_failures(services: Services) -> None:
    factory = services.session_factory
    add_user(factory, "jonas", PASSWORD, None, T0)
    for i in range(4):
        attempt_sign_in(factory, "jonas", "wrong", "10.0.0.3", T0 + dt.timedelta(seconds=i))
    assert attempt_sign_in(factory, "jonas", PASSWORD, "10.0.0.3", T0 + dt.timedelta(seconds=5)).token
    again = [attempt_sign_in(factory, "jonas", "wrong", "10.0.0.3", T0 + dt.timedelta(seconds=10 + i))
             for i in range(4)]  # fmt: skip
    assert [r.retry_after for r in again] == [0, 0, 0, 0], "the count started again after the success"
    quiet = T0 + dt.timedelta(seconds=13) + ACCOUNT_POLICY.window + dt.timedelta(seconds=1)
    assert attempt_sign_in(factory, "jonas", "wrong", "10.0.0.3", quiet).retry_after == 0, "16 min later: a fresh count"


def test_one_address_trying_many_names_is_locked_for_all_of_them(services: Services) -> None:
    factory = services.session_factory
    add_user(factory, "paula", PASSWORD, None, T0)
    for i in range(ADDRESS_POLICY.threshold):
        attempt_sign_in(factory, f"guess-{i}", "password123", "203.0.113.9", T0 + dt.timedelta(seconds=i))
    now = T0 + dt.timedelta(seconds=ADDRESS_POLICY.threshold)
    assert attempt_sign_in(factory, "paula", PASSWORD, "203.0.113.9", now).retry_after > 0
    assert attempt_sign_in(factory, "paula", PASSWORD, "198.51.100.7", now).token, "other addresses still sign in"


def test_an_unknown_user_costs_as_much_time_as_a_known_one(services: Services) -> None:
    factory = services.session_factory
    add_user(factory, "known-user", PASSWORD, None, T0)

    def refusal_time(username: str) -> float:
        start = time.perf_counter()
        assert sign_in(factory, username, "wrong-password", T0) is None
        return time.perf_counter() - start

    known, unknown = [], []
    for _ in range(7):  # interleaved, so that a busy moment of the machine hits both alike
        known.append(refusal_time("known-user"))
        unknown.append(refusal_time("unknown-user"))
    assert statistics.median(unknown) >= 0.5 * statistics.median(known), (known, unknown)


# --- the real web app -------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: Message
    body: str

    def set_cookies(self) -> dict[str, tuple[str, set[str]]]:
        """Set-Cookie headers by cookie name: (value, attributes in lower case, e.g. 'secure', 'path=/')."""
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            first, *attributes = [part.strip() for part in header.split(";")]
            name, _, value = first.partition("=")
            found[name] = (value, {a.lower() for a in attributes if a})
        return found


@dataclass
class SalesBrowser:
    """A salesperson's browser: keeps the cookies the web app sets, follows no redirects, shows headers.

    It also sends cookies marked Secure over plain http, as a TLS-terminating proxy in front of the
    web app would see them."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> Reply:
        connection = http.client.HTTPConnection("localhost", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.msg, response.read().decode())
        finally:
            connection.close()
        for name, (value, attributes) in reply.set_cookies().items():
            if "max-age=0" in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> Reply:
        return self.request("POST", path, fields)

    @staticmethod
    def csrf(page: str) -> str:
        return page.split("name='csrf' value='")[1].split("'")[0]

    def login(self, username: str, password: str) -> Reply:
        page = self.get("/login").body
        return self.post("/login", {"csrf": self.csrf(page), "username": username, "password": password})


needs_model = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")


@pytest.fixture(scope="module")
def security_users(bot: Bot) -> None:
    """Own accounts, so that the lockouts here never lock "lena" and "max" of the other inbox tests."""
    factory = make_session_factory(make_engine(bot.settings.database_url))
    now = dt.datetime.now(dt.timezone.utc)
    add_user(factory, "sec-locked", PASSWORD, "max.huber", now)
    add_user(factory, "sec-sarah", PASSWORD, "sarah.miller", now)
    add_user(factory, "sec-assistant", PASSWORD, None, now)  # an account with no salesperson
    add_user(factory, "sec-former", PASSWORD, "left.company", now)  # no longer in data/sales/team.yml


@pytest.fixture(scope="module")
def handoff_id(bot: Bot) -> int:
    sender = new_sender()
    bot.say(sender, "Können Sie mich bitte zurückrufen? Ich hätte gern ein Angebot.")
    bot.say(sender, "Jana Roth, Roth Metallbau GmbH, jana.roth@example.de")
    bot.say(sender, "Ja, ich bin einverstanden.")
    (handoff,) = bot.handoffs(sender)
    return int(handoff["id"])


@needs_model
def test_after_five_wrong_passwords_the_right_one_is_refused_for_a_while(bot: Bot, security_users: None) -> None:
    browser = SalesBrowser(bot.settings.web_port)
    codes = [browser.login("sec-locked", f"wrong-{i}").status for i in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    reply = browser.login("sec-locked", PASSWORD)
    assert reply.status == 429 and 0 < int(reply.headers["Retry-After"]) <= 30
    assert "Zu viele Fehlversuche. Bitte in " in reply.body and " erneut versuchen." in reply.body
    assert "journey_session" not in browser.cookies
    assert browser.get("/inbox").headers["Location"] == "/login"
    other = SalesBrowser(bot.settings.web_port)
    assert other.login("sec-sarah", PASSWORD).status == 302, "other accounts from the same address still sign in"


@needs_model
def test_over_http_the_cookies_keep_their_names_without_secure(bot: Bot, security_users: None) -> None:
    browser = SalesBrowser(bot.settings.web_port)
    login_cookie = browser.get("/login").set_cookies()["journey_login_csrf"][1]
    signed_in_reply = browser.login("sec-sarah", PASSWORD)
    session_cookie = signed_in_reply.set_cookies()["journey_session"][1]
    for attributes in (login_cookie, session_cookie):
        assert {"path=/", "httponly", "samesite=strict"} <= attributes and "secure" not in attributes


@needs_model
def test_logout_without_the_csrf_token_keeps_the_session(bot: Bot, security_users: None) -> None:
    browser = SalesBrowser(bot.settings.web_port)
    assert browser.login("sec-sarah", PASSWORD).status == 302
    inbox = browser.get("/inbox")
    assert inbox.status == 200
    refused = browser.post("/logout", {})
    assert refused.status == 403 and refused.set_cookies() == {}
    cross_site = SalesBrowser(bot.settings.web_port).post("/logout", {})  # a SameSite=Strict cookie stays home
    assert "journey_session" not in cross_site.set_cookies()
    assert browser.get("/inbox").status == 200, "still signed in"
    token = browser.cookies["journey_session"]
    done = browser.post("/logout", {"csrf": browser.csrf(inbox.body)})
    assert (done.status, done.headers["Location"]) == (302, "/login")
    assert "max-age=0" in done.set_cookies()["journey_session"][1]
    stolen = SalesBrowser(bot.settings.web_port, {"journey_session": token})
    assert stolen.get("/inbox").headers["Location"] == "/login", "the server session has ended too"


@needs_model
@pytest.mark.parametrize("username", ["sec-assistant", "sec-former"])
def test_only_accounts_linked_to_a_salesperson_may_claim(
    bot: Bot, security_users: None, handoff_id: int, username: str
) -> None:
    before = bot.api(f"/api/handoffs/{handoff_id}")
    browser = SalesBrowser(bot.settings.web_port)
    browser.login(username, PASSWORD)
    detail = browser.get(f"/handoffs/{handoff_id}").body
    assert "Übernehmen" not in detail
    refused = browser.post(f"/handoffs/{handoff_id}/claim", {"csrf": browser.csrf(detail)})
    assert refused.status == 403 and "mit einer Vertriebsperson verknüpft" in refused.body
    after = bot.api(f"/api/handoffs/{handoff_id}")
    assert (after["status"], after["assignee"], after["activity"]) == (
        before["status"], before["assignee"], before["activity"])  # fmt: skip


@needs_model
def test_every_change_shows_who_made_it_and_when(bot: Bot, security_users: None, handoff_id: int) -> None:
    browser = SalesBrowser(bot.settings.web_port)
    browser.login("sec-sarah", PASSWORD)
    detail = browser.get(f"/handoffs/{handoff_id}").body
    csrf = browser.csrf(detail)
    assert browser.post(f"/handoffs/{handoff_id}/claim", {"csrf": csrf}).status == 302
    assert browser.post(f"/handoffs/{handoff_id}/status", {"csrf": csrf, "status": "contacted"}).status == 302
    assert browser.post(f"/handoffs/{handoff_id}/notes", {"csrf": csrf, "note": "<i>Termin</i> Freitag"}).status == 302
    bot.api(f"/api/handoffs/{handoff_id}", method="PATCH", body={"assignee": "max.huber"})
    activity = bot.api(f"/api/handoffs/{handoff_id}")["activity"]
    assert [(a["author"], a["action"]) for a in activity[-4:]] == [
        ("sec-sarah", "claim"), ("sec-sarah", "status"), ("sec-sarah", "note"), ("api", "assignee")]  # fmt: skip
    assert activity[-3]["detail"] == "claimed → contacted" and activity[-1]["detail"] == "sarah.miller → max.huber"
    assert all(dt.datetime.fromisoformat(a["at"]) > dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
               for a in activity[-4:])  # fmt: skip
    page = browser.get(f"/handoffs/{handoff_id}").body
    history = page.split("<h2>Verlauf</h2>")[1].split("<h2>")[0]
    assert "sec-sarah" in history and "api" in history and "Status: claimed → contacted" in history
    assert "übernommen" in history and "Zuständig: sarah.miller → max.huber" in history
    assert activity[-1]["at"][:16].replace("T", " ") in history
    assert "&lt;i&gt;Termin&lt;/i&gt; Freitag" in history and "<i>" not in page


@pytest.fixture(scope="module")
def https_web_app(bot: Bot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A second web app that believes it is served over https (WEB_BASE_URL), on its own database."""
    port = free_port()
    database = tmp_path_factory.mktemp("https-web") / "journey.db"
    env = bot.env | {"WEB_PORT": str(port), "WEB_BASE_URL": f"https://localhost:{port}",
                     "DATABASE_URL": f"sqlite:///{database}"}  # fmt: skip
    settings = settings_from_env(env)
    engine = make_engine(settings.database_url)
    create_tables(engine)
    factory = make_session_factory(engine)
    add_user(factory, "secure-lena", PASSWORD, "lena.vogt", dt.datetime.now(dt.timezone.utc))
    part = web_part(settings)
    part.log = Path(bot.actions.log.parent) / "web-https.log"
    part.start(env)
    try:
        part.wait_ready(time.monotonic() + 60)
        yield port
    finally:
        part.stop()


@needs_model
def test_over_https_the_cookies_are_secure_host_cookies(https_web_app: int) -> None:
    browser = SalesBrowser(https_web_app)
    login_page = browser.get("/login")
    login_cookie = login_page.set_cookies()
    assert list(login_cookie) == ["__Host-journey_login_csrf"]
    signed_in_reply = browser.login("secure-lena", PASSWORD)
    assert signed_in_reply.status == 302
    session_cookie = signed_in_reply.set_cookies()["__Host-journey_session"]
    for _, attributes in (login_cookie["__Host-journey_login_csrf"], session_cookie):
        assert {"secure", "path=/", "httponly", "samesite=strict"} <= attributes
        assert not any(a.startswith("domain") for a in attributes)
    assert browser.get("/inbox").status == 200
    done = browser.post("/logout", {"csrf": browser.csrf(browser.get("/inbox").body)})
    assert {"secure", "path=/", "max-age=0"} <= done.set_cookies()["__Host-journey_session"][1], (
        "a browser only accepts the deletion of a __Host- cookie with the same attributes")


@needs_model
def test_one_address_trying_many_names_gets_429_from_the_web_app(https_web_app: int) -> None:
    browser = SalesBrowser(https_web_app)
    codes = [browser.login(f"spray-{i}", "Sommer2026!").status for i in range(ADDRESS_POLICY.threshold)]
    assert codes[:-1] == [401] * (ADDRESS_POLICY.threshold - 1) and codes[-1] == 429
    reply = browser.login("secure-lena", PASSWORD)
    assert reply.status == 429 and int(reply.headers["Retry-After"]) > 0
    assert "__Host-journey_session" not in browser.cookies
