"""A real answer to what the visitor says about their situation: the product that fits, why, the next step."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction, visitor_products
from bot.conversation.answers import situation_answer
from bot.conversation.questions import keyword_statement, question_in_statement, second_answer
from bot.conversation.situation import bare_count, extract, from_slots


class ActionAnswerSituation(ServiceAction):
    """`inform_situation` (and statements with situation facts): product, reason with their numbers, next step."""

    def name(self) -> str:
        return "action_answer_situation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        answer = situation_answer(
            from_slots(tracker.get_slot),
            self.services.catalogue.products(),
            language=tracker.get_slot("language") or "de",
            persona=tracker.get_slot("persona"),
            messages=self.services.messages.get(),
            follow_up_count=None if extract(text).has_facts() else bare_count(text),
            text=text,
        )
        if answer is None:
            self.say(dispatcher, tracker, "situation_noted")
        else:
            dispatcher.utter_message(text=answer.text)
        events = [] if answer is None else answer.events
        focus = next((e["value"] for e in events if e.get("name") == "product"), tracker.get_slot("product"))
        question = question_in_statement(  # "... how does installation work?": answered too
            self.services.knowledge.get(), text, tracker.get_slot("language"), focus=focus,
            segment_products=visitor_products(self.services, tracker),
        ) or keyword_statement(  # "... der Zähler ist aber noch so ein alter mit Drehscheibe": what that means
            self.services.knowledge.get(), text, tracker.get_slot("language"), focus=focus,
        )  # fmt: skip
        if question is not None:
            dispatcher.utter_message(text=question.text)
            second = second_answer(  # "... We need SAP export and Azure AD login.": both answered
                self.services.knowledge.get(), text, question.entry_id, tracker.get_slot("language"), focus=focus,
                segment_products=visitor_products(self.services, tracker),
            )  # fmt: skip
            if second is not None and second.product in (None, focus):
                dispatcher.utter_message(text=second.text)
        return events
