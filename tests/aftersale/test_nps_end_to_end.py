"""The NPS in the chat, end to end through the running bot (REST channel, real Rasa and action server), in German
and English, for each band: a customer whose support answer helped says thanks, is asked 0–10, answers by button or
by typing ("neun", "7/10"), and gets what their band needs; the answer is stored with conversation, customer,
product, phase, language and date; an unhappy customer's call from support is a handoff of kind `support` to the
support team. Also: asked at most once per customer and period, in the customer area, and an extension (upsell)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from bot.aftersale.nps import NpsAnswer
from bot.db import make_engine
from bot.launcher import MODEL
from tests.running_bot import Bot, new_sender, texts

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")

#: a customer's how-to question that a knowledge entry answers (a fault report would be sent on to support instead)
SUPPORT = {"de": "Ich bin Kunde: Wie koppel ich den Clip mit dem neuen WLAN?",
           "en": "I'm a customer: how do I connect the clip to my new wifi?"}  # fmt: skip
THANKS = {"de": "Danke, das hat geholfen!", "en": "Thanks, that helped!"}
SUPPORT_TEAM = {"jana.kraus", "felix.graf"}  # data/sales/team.yml support.people


def button(score: int) -> str:
    return "/nps_score" + json.dumps({"nps_score": str(score)})  # what the question's buttons send


def stored(bot: Bot, sender: str) -> list[Any]:
    engine = make_engine(bot.settings.database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.select(NpsAnswer.__table__).where(NpsAnswer.conversation_id == sender)))
    finally:
        engine.dispose()


def asked_after_support(bot: Bot, sender: str, language: str, first: str | None = None) -> list[dict[str, Any]]:
    """Support question, its answer, thanks: returns the bot's reply to the thanks (the NPS question, if due)."""
    if first:
        bot.say(sender, first)
    bot.say(sender, SUPPORT[language])
    return bot.say(sender, THANKS[language])


def nps_buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or [] if b["payload"].startswith("/nps_score")]


@pytest.mark.parametrize(
    ("language", "answer", "score", "expected"),
    [
        ("de", "neun", 9, ["?ref=", "Empfehlungslink"]),
        ("en", button(10), 10, ["?ref=", "referral link"]),
        ("en", "9/10", 9, ["?ref=", "referral link"]),
    ],
)  # fmt: skip
def test_a_promoter_is_invited_to_review_and_gets_a_referral_link(
    bot: Bot, language: str, answer: str, score: int, expected: list[str]
) -> None:
    sender = new_sender()
    question = asked_after_support(bot, sender, language)
    assert len(nps_buttons(question)) == 11, texts(question)
    said = texts(bot.say(sender, answer))
    assert all(part in said for part in expected), said
    assert "](https://" in said  # the product's review platforms from the catalogue, as links
    slots = bot.slots(sender)
    (row,) = stored(bot, sender)
    assert (row.score, row.language, row.phase, row.customer) == (score, language, "retention", sender)
    assert row.product == slots.get("product") or (slots.get("product") is None and row.product in (
        None, "wattwerk-home"))  # the product talked about; unknown, none is guessed  # fmt: skip


@pytest.mark.parametrize(
    ("language", "answer", "comment", "thanks"),
    [("de", "7 von 10", "Die App könnte morgens schneller laden", "Produktteam"),
     ("en", button(8), "Cheaper extra sensors would do it", "product team")],
)  # fmt: skip
def test_a_passive_is_asked_what_would_make_it_a_ten_and_the_answer_is_stored(
    bot: Bot, language: str, answer: str, comment: str, thanks: str
) -> None:
    sender = new_sender()
    asked_after_support(bot, sender, language)
    asked = texts(bot.say(sender, answer))
    assert "10" in asked, asked
    assert thanks in texts(bot.say(sender, comment))
    (row,) = stored(bot, sender)
    assert (row.score in (7, 8), row.comment) == (True, comment)


def test_a_passive_who_has_nothing_to_add_is_thanked_and_nothing_is_stored_as_comment(bot: Bot) -> None:
    sender = new_sender()
    asked_after_support(bot, sender, "de")
    bot.say(sender, button(7))
    assert "Kein Problem" in texts(bot.say(sender, "nein"))
    (row,) = stored(bot, sender)
    assert (row.score, row.comment) == (7, None)


@pytest.mark.parametrize(
    ("language", "answer", "yes", "contact", "support_words"),
    [("de", "ehrlich gesagt nur eine 3", "Ja, bitte", "Maria Berger, 0664 1234567", "Support"),
     ("en", button(2), "Yes please", "Maria Berger, maria.berger@example.com", "support team")],
)  # fmt: skip
def test_a_detractor_gets_an_apology_and_a_call_from_support_as_a_support_handoff(
    bot: Bot, language: str, answer: str, yes: str, contact: str, support_words: str
) -> None:
    sender = new_sender()
    asked_after_support(bot, sender, language)
    replies = bot.say(sender, answer)
    said = texts(replies)
    assert any(word in said for word in ("leid", "sorry")), said
    assert support_words in said and any(r.get("buttons") for r in replies), said
    assert support_words in texts(bot.say(sender, yes))  # support's own contact question
    assert "?" in texts(bot.say(sender, contact))  # the consent question
    confirmed = texts(bot.say(sender, yes))
    assert support_words in confirmed, confirmed
    (handoff,) = bot.handoffs(sender)
    assert (handoff["kind"], handoff["assignee"] in SUPPORT_TEAM) == ("support", True), handoff
    (row,) = stored(bot, sender)
    assert row.score <= 6
    assert row.comment == (answer if not answer.startswith("/") else None)  # the reason typed with the score


def test_a_sales_request_after_a_support_handoff_asks_consent_again_and_is_stored_too(bot: Bot) -> None:
    sender = new_sender()
    asked_after_support(bot, sender, "de")
    bot.say(sender, button(4))
    bot.say(sender, "Ja, bitte")
    bot.say(sender, "Maria Berger, 0664 1234567")
    bot.say(sender, "Ja, bitte")  # consent for support's call
    bot.say(sender, "überspringen")  # callback time
    asked = texts(bot.say(sender, "Kann mich der Vertrieb wegen eines Angebots zurückrufen?"))
    assert "Darf Wattwerk" in asked, asked  # its own consent, for its own purpose (the number is known already)
    confirmed = texts(bot.say(sender, "Ja"))
    assert "Vertrieb" in confirmed and "bereits" not in confirmed, confirmed
    assert sorted(h["kind"] for h in bot.handoffs(sender)) == ["sales", "support"]


def test_a_customer_is_asked_once_per_period_whatever_the_conversation(bot: Bot) -> None:
    number = "Meine Kundennummer ist KD-{}".format(new_sender()[-6:].translate(str.maketrans("abcdef", "123456")))
    first = new_sender()
    assert nps_buttons(asked_after_support(bot, first, "de", first=number))
    bot.say(first, button(9))
    again = new_sender()  # the same customer, another day, another conversation
    replies = asked_after_support(bot, again, "de", first=number)
    assert not nps_buttons(replies), texts(replies)
    stranger = new_sender()  # another customer is asked
    assert nps_buttons(asked_after_support(bot, stranger, "de"))


CUSTOMER_AREA = {"path": "/kundenbereich", "url": "http://localhost/kundenbereich", "referrer": "", "utm": {},
                 "language": "de-DE"}  # fmt: skip


def test_the_customer_area_asks_the_question_and_a_problem_with_a_number_is_no_answer(bot: Bot) -> None:
    visitor = new_sender()
    greeting = bot.say(visitor, "/page_view", metadata={"page": CUSTOMER_AREA})
    assert "Willkommen zurück" in texts(greeting) and len(nps_buttons(greeting)) == 11, texts(greeting)
    reply = texts(bot.say(visitor, "Seit 10 Tagen kommen keine Daten mehr"))  # a problem, not a 10
    assert "?ref=" not in reply and stored(bot, visitor) == [], reply
    bot.say(visitor, "/page_view", metadata={"page": CUSTOMER_AREA})
    assert not nps_buttons(bot.say(visitor, "Danke")), "asked twice in one conversation"


@pytest.mark.parametrize("text", ["9", "Ich würde euch glatt eine 10 geben!"])
def test_a_score_nobody_asked_for_is_not_stored(bot: Bot, text: str) -> None:
    prospect = new_sender()
    bot.say(prospect, "Was kostet Wattwerk Business?")
    bot.say(prospect, text)  # nine sites, or a compliment: the question was not put
    assert stored(bot, prospect) == []


@pytest.mark.parametrize(
    ("language", "wish", "contact", "yes"),
    [("de", "Wir nutzen Wattwerk Business schon und wollen jetzt noch drei weitere Standorte dazunehmen",
      "Jonas Weber, Weber Logistik GmbH, jonas.weber@example.de", "Ja"),
     ("en", "We already use Wattwerk Business and need 15 more user seats for our new team",
      "Jonas Weber, Weber Logistics Ltd, jonas.weber@example.co.uk", "Yes")],
)  # fmt: skip
def test_a_business_customer_who_wants_more_is_handed_to_sales_as_an_upsell(
    bot: Bot, language: str, wish: str, contact: str, yes: str
) -> None:
    sender = new_sender()
    bot.say(sender, wish)
    bot.say(sender, contact)
    bot.say(sender, yes)
    (handoff,) = bot.handoffs(sender)
    assert handoff["kind"] == "upsell" and handoff["assignee"] not in SUPPORT_TEAM, handoff


def test_thanks_after_another_question_do_not_bring_the_question(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, SUPPORT["de"])
    bot.say(sender, "Und was kostet ein zweiter Clip?")  # not thanks for the support answer
    replies = bot.say(sender, "Danke!")
    assert not nps_buttons(replies), texts(replies)
