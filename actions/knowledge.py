"""Specific questions answered from the knowledge entries (data/content/knowledge.yml), or topics offered."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction
from bot.conversation.answers import answer_question
from bot.conversation.knowledge import FALLBACK_INTENT, segment_products


def _missed_before(tracker: Tracker) -> bool:
    """True when the visitor's previous message was not understood either."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return False
    return ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name") == FALLBACK_INTENT


class ActionAnswerQuestion(ServiceAction):
    """Answers from the best-fitting knowledge entry; without one, offers the nearest topics as buttons."""

    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        message = tracker.latest_message or {}
        products = {p.id: p.segment for p in self.services.catalogue.products()}
        reply = answer_question(
            self.services.knowledge.get(),
            message.get("text") or "",
            (message.get("intent") or {}).get("name"),
            tracker.get_slot("language"),
            topic=next(tracker.get_latest_entity_values("topic"), None),
            focus=tracker.get_slot("product"),
            segment_products=segment_products(tracker.get_slot("segment"), products),
            missed_before=_missed_before(tracker),
        )
        buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        dispatcher.utter_message(text=reply.text, buttons=buttons)
        if reply.product and reply.product in products and reply.product != tracker.get_slot("product"):
            return [SlotSet("product", reply.product)]
        return []
