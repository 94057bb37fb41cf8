""""Lösche meine Daten" in the chat, through the running bot (REST channel, real Rasa and action server): the
question first, then after yes the conversation is gone from every table, Rasa's HTTP API included, and the answer
names the privacy contact; after no, nothing is deleted. Both languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from bot.db import make_engine
from tests.running_bot import Bot, new_sender, texts

CASES = {
    "de": {"contact": ["Können Sie mich zurückrufen? Wir sind ein Betrieb mit 30 Leuten.",
                       "Jana Roth, Roth Metallbau GmbH, jana.roth@roth-metall.de", "Ja, einverstanden"],
           "ask": "Lösche bitte meine Daten", "question": "löschen", "yes": "Ja", "no": "Nein",
           "done": "datenschutz@wattwerk.example", "kept": "nichts gelöscht", "delivered": "bereits zugestellt"},
    "en": {"contact": ["Could you call me back? We are a company with 30 staff.",
                       "Jana Roth, Roth Metal Ltd, jana.roth@roth-metall.de", "Yes, I agree"],
           "ask": "please delete my data", "question": "delete", "yes": "yes", "no": "no",
           "done": "datenschutz@wattwerk.example", "kept": "haven't deleted anything",
           "delivered": "already been delivered"},
}  # fmt: skip


def conversation_with_a_handoff(bot: Bot, language: str) -> str:
    sender = new_sender()
    for message in CASES[language]["contact"]:
        bot.say(sender, message)
    assert bot.handoffs(sender), "the handoff this test deletes was not made"
    return sender


@pytest.mark.parametrize("language", ["de", "en"])
def test_after_yes_the_conversation_is_deleted_and_the_privacy_contact_named(bot: Bot, language: str) -> None:
    case = CASES[language]
    sender = conversation_with_a_handoff(bot, language)
    question = bot.say(sender, case["ask"])
    assert case["question"] in texts(question).lower()
    assert [b["payload"] for r in question for b in r.get("buttons", [])] == ["/affirm", "/deny"]
    assert bot.handoffs(sender)  # nothing deleted yet

    answer = texts(bot.say(sender, case["yes"]))
    assert case["done"] in answer and case["delivered"] not in answer  # the team's e-mail had not gone out yet

    events = bot.tracker(sender)["events"]
    assert "jana.roth@roth-metall.de" not in json.dumps(events) and "Roth" not in json.dumps(events)
    assert not [e for e in events if e["event"] == "user"]  # not even the yes
    assert bot.handoffs(sender) == []
    follow_up = texts(bot.say(sender, "Was kostet Wattwerk Home?" if language == "de" else "How much is Home?"))
    assert follow_up and ("€" in follow_up or "EUR" in follow_up)  # the chat goes on, in the visitor's language


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_request_already_delivered_to_the_team_is_named(bot: Bot, language: str) -> None:
    """The e-mail to the sales team went out before the visitor asked: its copy is outside the bot's reach."""
    case = CASES[language]
    sender = conversation_with_a_handoff(bot, language)
    engine = make_engine(bot.settings.database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO handoff_outbox (handoff_id, channel, status, attempts, next_attempt_at,"
                                   " delivered_at) SELECT id, 'email', 'delivered', 1, :now, :now FROM handoffs"
                                   " WHERE conversation_id = :sender"),
                           {"now": dt.datetime.now(dt.timezone.utc), "sender": sender})  # fmt: skip
    bot.say(sender, case["ask"])
    answer = texts(bot.say(sender, case["yes"]))
    assert case["done"] in answer and case["delivered"] in answer
    assert bot.handoffs(sender) == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_after_no_nothing_is_deleted(bot: Bot, language: str) -> None:
    case = CASES[language]
    sender = conversation_with_a_handoff(bot, language)
    bot.say(sender, case["ask"])
    assert case["kept"] in texts(bot.say(sender, case["no"]))
    assert bot.handoffs(sender) and "jana.roth@roth-metall.de" in json.dumps(bot.tracker(sender)["events"])
