"""Live chat with a salesperson in the chat (bot/sales/live.py): who could take it now, and asking for a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.aftersale import new_request
from actions.base import ServiceAction
from bot.sales.live import present, request_live, who_is_live
from bot.sales.routing import Salesperson
from bot.services import Services


def live_person(services: Services, tracker: Tracker) -> Salesperson | None:
    """A salesperson this visitor could chat with now: in business hours, with the live queue open."""
    now = services.now()
    facts = {key: tracker.get_slot(key) for key in ("language", "product", "persona", "segment")}
    facts["language"] = facts["language"] or "de"
    return who_is_live(services.team.get(), present(services.session_factory, now, services.settings.live_presence_s),
                       now, facts)  # fmt: skip


def live_button(services: Services, tracker: Tracker) -> dict[str, str]:
    return {"title": services.messages.get().render("live_button", tracker.get_slot("language")),
            "payload": "/request_live"}  # fmt: skip


class ActionStartLiveChat(ServiceAction):
    """A business visitor whose request is stored waits for a salesperson (the bot pauses); without a stored request
    the lead form comes first; a household gets self-service; nobody free: the call-back question."""

    def name(self) -> str:
        return "action_start_live_chat"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("segment") == "b2c":
            self.say(dispatcher, tracker, "lead_self_service")
            return [SlotSet("contact_path", "self_service"), SlotSet("live_state", None)]
        handoff_id = tracker.get_slot("handoff_id")
        if not handoff_id or (tracker.get_slot("handoff_kind") or "sales") != "sales":
            self.say(dispatcher, tracker, "live_needs_contact")
            return [*new_request(tracker), SlotSet("contact_path", "lead"), SlotSet("live_state", None),
                    SlotSet("handoff_kind", "sales")]
        if live_person(self.services, tracker) is None:
            self.say(dispatcher, tracker, "live_unavailable")
            return [SlotSet("contact_path", None), SlotSet("live_state", "unavailable")]
        request_live(self.services.session_factory, tracker.sender_id, int(handoff_id),
                     tracker.get_slot("language") or "de", self.services.now())  # fmt: skip
        self.say(dispatcher, tracker, "live_wait")
        return [SlotSet("contact_path", None), SlotSet("live_state", "waiting"), ConversationPaused()]
