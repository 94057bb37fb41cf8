"""A message that starts a form is read once for the visitor's situation (bot/rasa_plugins/slot_extraction.py).

Rasa runs the slot extraction again when a form starts; our custom mapping (action_track_journey) used to
run again with it, so branches added in the message that asked for a callback were counted twice.
Real servers and the real model (tests/running_bot.py).
"""

from __future__ import annotations

import pytest

from bot.launcher import MODEL
from tests.running_bot import Bot, new_sender, texts

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")


@pytest.mark.parametrize(
    ("before", "starting_the_form", "sites", "told"),
    [
        ("Wir haben 4 Filialen.", "Nächstes Jahr kommen 3 weitere Filialen dazu. Rufen Sie mich bitte zurück?",
         7, "Ihre 7 Standorte"),
        ("We run 5 hotels.", "We are opening 2 more hotels next year, can someone call me?", 7, "your 7 sites"),
    ],
)
def test_sites_added_in_the_message_that_starts_the_lead_form_are_counted_once(
    bot: Bot, before: str, starting_the_form: str, sites: int, told: str
) -> None:
    sender = new_sender()
    bot.say(sender, before)
    reply = texts(bot.say(sender, starting_the_form))
    assert told in reply
    assert bot.slots(sender)["situation_sites"] == sites
