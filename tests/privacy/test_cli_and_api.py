"""A data subject's request answered by the operator: `python -m bot.privacy` as a real process on the bot's
database, and the privacy API of the running web app, which only an admin account's personal token may use. After a
deletion, Rasa's HTTP API returns the conversation without the person's e-mail address and phone number."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from bot.db import make_engine, make_session_factory
from bot.privacy.audit import recent
from bot.sales.accounts import add_api_token, add_user
from tests.running_bot import SALES_TOKEN, Bot, new_sender

EMAIL = "jana.roth@roth-metall.de"
PHONE = "+49 171 2345678"
PASSWORD = "correct horse battery"


def call(bot: Bot, path: str, token: str | None, body: Any) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(f"http://localhost:{bot.settings.web_port}{path}", method="POST",
                                     data=json.dumps(body).encode(), headers=headers)  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def privacy_cli(bot: Bot, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **bot.env}
    return subprocess.run([sys.executable, "-m", "bot.privacy", *args], cwd=PROJECT_ROOT, env=env, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def tokens(bot: Bot) -> dict[str, str]:
    factory = make_session_factory(make_engine(bot.settings.database_url))
    now = dt.datetime.now(dt.timezone.utc)
    add_user(factory, "privacy-admin", PASSWORD, None, now, roles=("admin",))
    add_user(factory, "privacy-sales", PASSWORD, "lena.vogt", now, roles=("sales", "marketing", "editor"))
    return {role: add_api_token(factory, f"privacy-{role}", now) for role in ("admin", "sales")}


def handed_over(bot: Bot) -> str:
    """A visitor who gave name, company, e-mail and phone, consented, and was handed to sales."""
    sender = new_sender()
    bot.say(sender, "Können Sie mich bitte zurückrufen? Ich hätte gern ein Angebot für 40 Mitarbeiter.")
    bot.say(sender, f"Jana Roth, Roth Metallbau GmbH, {EMAIL}, {PHONE}")
    bot.say(sender, "Ja, ich bin einverstanden.")
    assert bot.handoffs(sender), "the handoff this test deletes was not made"
    return sender


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("jbt_not-a-token", 401), ("sales", 403),
                                               (SALES_TOKEN, 401)],
                         ids=["no-token", "unknown-token", "sales-account", "the-sales-api-token"])  # fmt: skip
@pytest.mark.parametrize("path", ["/api/privacy/export", "/api/privacy/delete"])
def test_only_an_admin_accounts_token_may_export_or_delete(bot: Bot, tokens: dict[str, str], path: str,
                                                           token: str | None, status: int) -> None:  # fmt: skip
    sender = new_sender()
    bot.say(sender, f"Meine Adresse ist {EMAIL}")
    code, body = call(bot, path, tokens.get(token or "", token), {"conversation": sender})
    assert code == status and "error" in body
    assert EMAIL in json.dumps(bot.tracker(sender)["events"])  # nothing deleted


@pytest.mark.parametrize(("body", "status"), [({}, 400), ({"email": EMAIL, "phone": PHONE}, 400),
                                              ({"name": "Jana"}, 400), ({"email": "jana at roth"}, 422),
                                              ({"phone": "12"}, 422)])  # fmt: skip
def test_a_request_naming_nobody_is_refused_with_the_reason(bot: Bot, tokens: dict[str, str], body: Any,
                                                            status: int) -> None:  # fmt: skip
    code, answer = call(bot, "/api/privacy/delete", tokens["admin"], body)
    assert code == status and answer["error"]


def test_the_api_exports_then_deletes_a_person_and_rasa_keeps_nothing_of_them(bot: Bot, tokens: dict[str, str]
                                                                               ) -> None:  # fmt: skip
    sender = handed_over(bot)
    events = json.dumps(bot.tracker(sender)["events"])
    assert EMAIL in events and "2345678" in events

    code, document = call(bot, "/api/privacy/export", tokens["admin"], {"phone": "0171 234 56 78"})
    assert code == 200 and sender in [c["conversation_id"] for c in document["conversations"]]
    (mine,) = [c for c in document["conversations"] if c["conversation_id"] == sender]
    assert mine["handoffs"][0]["email"] == EMAIL and any(e.get("text") for e in mine["events"])

    code, done = call(bot, "/api/privacy/delete", tokens["admin"], {"conversation": sender})
    assert code == 200 and done["conversations"] == 1 and done["rows"]["handoffs"] == 1

    events = json.dumps(bot.tracker(sender)["events"])
    assert EMAIL not in events and "2345678" not in events and "Roth" not in events
    assert bot.handoffs(sender) == []
    code, again = call(bot, "/api/privacy/delete", tokens["admin"], {"conversation": sender})
    assert (code, again["conversations"], again["rows"]) == (200, 0, {})
    factory = make_session_factory(make_engine(bot.settings.database_url))
    actors = [(r.actor, r.action) for r in recent(factory, 3)]
    assert actors == [("api:privacy-admin", "delete"), ("api:privacy-admin", "delete"), ("api:privacy-admin", "export")]


def test_the_command_line_exports_and_deletes_by_e_mail_and_asks_first(bot: Bot) -> None:
    sender = handed_over(bot)
    exported = privacy_cli(bot, "export", "--email", EMAIL.upper())
    assert exported.returncode == 0, exported.stderr
    assert sender in [c["conversation_id"] for c in json.loads(exported.stdout)["conversations"]]

    unasked = privacy_cli(bot, "delete", "--email", EMAIL)  # no terminal to ask on, no --yes
    assert unasked.returncode == 2 and "--yes" in unasked.stderr
    assert bot.handoffs(sender)

    wrong = privacy_cli(bot, "delete", "--email", "jana(at)roth", "--yes")
    assert wrong.returncode == 2 and "no e-mail address" in wrong.stderr

    deleted = privacy_cli(bot, "delete", "--email", EMAIL, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout)["conversations"] >= 1
    assert bot.handoffs(sender) == [] and EMAIL not in json.dumps(bot.tracker(sender)["events"])

    audit = privacy_cli(bot, "audit", "--limit", "5")
    assert audit.returncode == 0 and '"action": "delete"' in audit.stdout
    assert EMAIL not in audit.stdout.lower() and sender not in audit.stdout
