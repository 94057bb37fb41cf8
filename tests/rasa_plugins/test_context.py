"""The NLU reads a message together with the visitor's previous one (bot/rasa_plugins/context.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_plugins import context


def test_the_previous_message_is_the_visitors_last_typed_one() -> None:
    events = [UserUttered("Kann ich den Clip selbst montieren?"), ActionExecuted("action_answer_question"),
              BotUttered("Ja, in wenigen Minuten.")]  # fmt: skip
    assert context.previous_user_text(events) == "Kann ich den Clip selbst montieren?"
    assert context.previous_user_text([*events, UserUttered('/ask_topic{"topic": "home-wifi"}')]) is None
    assert context.previous_user_text([]) is None


def test_the_nlu_gets_the_previous_message_and_the_logged_message_keeps_its_metadata(monkeypatch: Any) -> None:
    seen: list[UserMessage] = []

    async def parse(self: Any, message: UserMessage, tracker: Any, only_output_properties: bool) -> dict:
        seen.append(message)
        return {}

    monkeypatch.setitem(context._rasas, "parse_message", parse)
    tracker = DialogueStateTracker.from_events("visitor", [UserUttered("does the clip need wifi?")])
    message = UserMessage("ugh. so what do i do then", metadata={"page": "/en/"})
    asyncio.run(context._parse_message(None, message, tracker))
    assert seen[0].metadata == {"page": "/en/", context.PREVIOUS_TEXT: "does the clip need wifi?"}
    assert message.metadata == {"page": "/en/"}  # what the tracker stores is unchanged


def test_the_nlu_gets_the_product_in_focus(monkeypatch: Any) -> None:
    seen: list[UserMessage] = []

    async def parse(self: Any, message: UserMessage, tracker: Any, only_output_properties: bool) -> dict:
        seen.append(message)
        return {}

    monkeypatch.setitem(context._rasas, "parse_message", parse)
    events = [UserUttered("wir schauen uns Sense für den Kompressorraum an"), SlotSet("product", "wattwerk-sense")]
    tracker = DialogueStateTracker.from_events("visitor", events, slots=[TextSlot("product", mappings=[])])
    asyncio.run(context._parse_message(None, UserMessage("montage machen wir selber, gibts ne anleitung?"), tracker))
    assert seen[0].metadata[context.FOCUS] == "wattwerk-sense"
