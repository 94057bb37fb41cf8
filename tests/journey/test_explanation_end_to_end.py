"""The journey explanation through the running bot: the tracker API, the handoff API and the inbox."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db import make_engine, make_session_factory
from bot.sales.accounts import add_user
from tests.running_bot import Bot, new_sender
from tests.test_inbox_security import PASSWORD, SalesBrowser, needs_model


@pytest.fixture(scope="module")
def explained(bot: Bot) -> tuple[str, int]:
    """A German B2B lead whose persona comes from two messages, handed to sales."""
    sender = new_sender()
    bot.say(sender, "Hallo, ich leite den Einkauf bei einem Maschinenbauer mit drei Werken.")
    bot.say(sender, "Wie schnell amortisiert sich Wattwerk Business bei uns?")
    bot.say(sender, "abbrechen")
    bot.say(sender, "Können Sie mich bitte zurückrufen? Ich hätte gern ein Angebot.")
    bot.say(sender, "Petra Lang, Lang Maschinenbau GmbH, petra.lang@example.de")
    bot.say(sender, "Ja, ich bin einverstanden.")
    (handoff,) = bot.handoffs(sender)
    return sender, int(handoff["id"])


@needs_model
def test_the_tracker_returns_why_each_slot_has_its_value(bot: Bot, explained: tuple[str, int]) -> None:
    sender, _ = explained
    slots = bot.tracker(sender)["slots"]
    why = slots["journey_explanation"]
    assert {slot: why[slot]["value"] for slot in ("phase", "persona", "segment", "language")} == {
        slot: slots[name] for slot, name in (("phase", "journey_phase"), ("persona", "persona"),
                                             ("segment", "segment"), ("language", "language"))}  # fmt: skip
    assert slots["persona"] == "budget_owner" and slots["segment"] == "b2b"
    persona_messages = {reason["message"] for reason in why["persona"]["reasons"]}
    assert 2 in persona_messages, "the ROI question is one of the reasons"
    assert why["persona"]["score"] >= 1.0
    assert "Maschinenbauer" not in str(why), "the slot points to messages; it does not copy what the visitor typed"


@needs_model
def test_the_handoff_keeps_the_explanation_and_the_inbox_shows_it_in_the_readers_language(
    bot: Bot, explained: tuple[str, int]
) -> None:
    _, handoff_id = explained
    stored = bot.api(f"/api/handoffs/{handoff_id}")["journey_explanation"]
    assert stored["persona"]["value"] == "budget_owner"
    factory = make_session_factory(make_engine(bot.settings.database_url))
    now = dt.datetime.now(dt.timezone.utc)
    add_user(factory, "why-sarah", PASSWORD, "sarah.miller", now, language="en")  # the inbox in English
    add_user(factory, "why-lena", PASSWORD, "lena.vogt", now)  # in German, the default
    for username, heading, persona in (
        ("why-sarah", "Why the bot thinks so:", "Persona budget owner: "),
        ("why-lena", "Warum der Bot das annimmt:", "Persona Budgetverantwortlich: "),
    ):
        browser = SalesBrowser(bot.settings.web_port)
        assert browser.login(username, PASSWORD).status == 302
        page = browser.get(f"/handoffs/{handoff_id}").body
        assert heading in page and persona in page
        quoted = "message 2 “Wie schnell" if username == "why-sarah" else "Nachricht 2 „Wie schnell"
        assert quoted in page
