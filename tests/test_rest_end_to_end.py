"""The running bot, as a website visitor and the HTTP API see it: real servers, real model.

Starts the action server and the Rasa server (trained model, SQLite tracker store in a
temporary directory) on free ports, chats through the REST channel and reads the slots
through the HTTP API, restarting the Rasa server once to show that nothing is lost.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.loader import load_catalogue
from bot.config import Settings, settings_from_env
from bot.db import create_tables, make_engine, make_session_factory
from bot.language import detect_language
from bot.launcher import MODEL, Part, Stack, action_part, child_env, rasa_part, web_part

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")

TOKEN = "test-token-" + uuid.uuid4().hex[:8]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Bot:
    def __init__(self, settings: Settings, env: dict[str, str], log_dir: Path) -> None:
        self.settings = settings
        self.env = env
        self.actions = action_part(settings)
        self.web = web_part(settings)
        self.rasa = rasa_part(settings)
        for part in (self.actions, self.web, self.rasa):
            part.log = log_dir / part.log.name
        self.stack = Stack([self.actions, self.web, self.rasa])

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.settings.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return list(json.loads(response.read()))

    def slots(self, sender: str, token: str = TOKEN) -> dict[str, Any]:
        url = f"{self.settings.rasa_url}/conversations/{sender}/tracker?token={token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return dict(json.loads(response.read())["slots"])

    def restart_rasa(self) -> None:
        self.rasa.stop()
        fresh = Part(self.rasa.name, self.rasa.command, self.rasa.health_url, self.rasa.log)
        fresh.start(self.env)
        fresh.wait_ready(__import__("time").monotonic() + 120)
        self.stack.parts[-1] = self.rasa = fresh


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    workdir = tmp_path_factory.mktemp("bot")
    env_values = {
        "RASA_AUTH_TOKEN": TOKEN,
        "RASA_HOST": "localhost",
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "DATABASE_URL": f"sqlite:///{workdir / 'journey.db'}",
        "DEFAULT_LANGUAGE": "de",
    }
    settings = settings_from_env(env_values)
    engine = make_engine(settings.database_url)
    create_tables(engine)
    load_catalogue(make_session_factory(engine))
    env = child_env(settings) | env_values
    bot = Bot(settings, env, workdir)
    bot.stack.start(env)
    try:
        yield bot
    finally:
        bot.stack.stop()
        if os.environ.get("CI"):
            for part in bot.stack.parts:
                print(f"--- {part.log} (tail)\n" + "\n".join(part.log.read_text(errors="replace").splitlines()[-20:]))


def texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def new_sender() -> str:
    return "e2e-" + uuid.uuid4().hex[:10]


def test_german_visitor_gets_german_answers_and_is_recognised_as_skeptic(bot: Bot) -> None:
    sender = new_sender()
    greeting = bot.say(sender, "Grüß Gott!")
    assert detect_language(texts(greeting), None) == "de"
    answer = bot.say(sender, "Kann ich irgendwo ehrliche Bewertungen von euren Kunden lesen?")
    assert detect_language(texts(answer), None) == "de"
    assert any(r.get("buttons") for r in answer), "the answer should end with an offer the visitor can click"
    slots = bot.slots(sender)
    assert (slots["language"], slots["journey_phase"], slots["persona"]) == ("de", "consideration", "skeptic")


def test_accepting_an_offer_delivers_it(bot: Bot) -> None:
    sender = new_sender()
    answer = bot.say(sender, "Do you have an API and webhooks for Wattwerk Business?")
    assert "Technical details of Wattwerk Business" in texts(answer)
    offer = next(r for r in answer if any(b["payload"] == "/affirm" for b in r.get("buttons") or []))
    assert bot.slots(sender)["pending_offer"] == "guarantee"
    delivered = bot.say(sender, "/affirm")
    assert delivered and detect_language(texts(delivered), None) == "en"
    assert offer["text"] not in texts(delivered)
    slots = bot.slots(sender)
    assert (slots["pending_offer"], slots["persona"], slots["product"]) == (None, "technical", "wattwerk-business")


def test_an_unclear_product_is_asked_with_buttons_and_the_choice_answers(bot: Bot) -> None:
    sender = new_sender()
    answer = bot.say(sender, "Was kostet das bei euch?")
    choice = next(r for r in answer if r.get("buttons"))
    assert [b["title"] for b in choice["buttons"]] == ["Wattwerk Business", "Wattwerk Home", "Wattwerk Sense"]
    assert len([r for r in answer if r.get("buttons")]) == 1, "no offer on top of the question"
    priced = bot.say(sender, choice["buttons"][1]["payload"])
    assert "Das kostet Wattwerk Home:" in texts(priced)
    assert bot.slots(sender)["product"] == "wattwerk-home"


def test_visitor_who_switches_language_is_answered_in_the_new_one(bot: Bot) -> None:
    sender = new_sender()
    assert detect_language(texts(bot.say(sender, "Hello, what is this website about?")), None) == "en"
    assert detect_language(texts(bot.say(sender, "Was kostet das für unsere Wohnung zu Hause?")), None) == "de"
    slots = bot.slots(sender)
    assert (slots["language"], slots["journey_phase"], slots["segment"]) == ("de", "decision", "b2c")


def test_unclear_input_gets_a_fallback_in_the_visitors_language(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "Hi there, what do you sell?")
    reply = bot.say(sender, "xq zzkv plörr")
    assert texts(reply).strip(), "the bot must never answer with silence"
    assert detect_language(texts(reply), None) == "en"


def test_the_http_api_needs_the_token(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "Hallo")
    with pytest.raises(urllib.error.HTTPError) as error:
        bot.slots(sender, token="wrong")
    assert error.value.code == 401


def test_a_restart_of_the_rasa_server_loses_nothing(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "Wir sind ein Betrieb mit 40 Mitarbeitern. Wie schnell amortisiert sich das?")
    before = bot.slots(sender)
    assert (before["segment"], before["persona"]) == ("b2b", "budget_owner")
    bot.restart_rasa()
    assert bot.slots(sender) == before
    reply = bot.say(sender, "Und was kostet das im Monat?")
    assert detect_language(texts(reply), None) == "de"
    assert bot.slots(sender)["segment"] == "b2b"


def test_the_boss_summary_opens_and_downloads_in_the_visitors_language(bot: Bot) -> None:
    sender = new_sender()
    reply = texts(
        bot.say(sender, "Ich muss das erst meinem Chef vorlegen. Habt ihr eine Zusammenfassung zu Wattwerk Business?")
    )
    url = next(word for word in reply.split() if "/summary/" in word and "download" not in word)
    with urllib.request.urlopen(url, timeout=30) as response:
        page = response.read().decode()
    assert "<title>Wattwerk Business – Zusammenfassung für Entscheider</title>" in page
    with urllib.request.urlopen(url + "?download=1", timeout=30) as response:
        assert response.headers["Content-Disposition"].startswith("attachment;")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url.rsplit("/", 1)[0] + "/not-a-token", timeout=30)
    assert error.value.code == 404
