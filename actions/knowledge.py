"""Specific questions answered from the knowledge entries (data/content/knowledge.yml), or topics offered."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.aftersale import should_ask_nps
from actions.base import ServiceAction, visitor_products
from bot.catalogue.service import find_product, product_of_plan
from bot.conversation.answers import situation_reason
from bot.conversation.knowledge import FALLBACK_INTENT
from bot.conversation.questions import (
    Reply,
    answer_question,
    is_follow_up,
    product_answer_for_intent,
    reports_fault,
    request_answer,
    second_answer,
    specific_answer,
    without_product_names,
)
from bot.conversation.situation import extract, from_slots
from bot.services import Services


def _missed_before(tracker: Tracker) -> bool:
    """True when the visitor's previous message was not understood either."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return False
    return ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name") == FALLBACK_INTENT


def _say(
    services: Services, dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply, preferred: frozenset[str],
    prospect: bool = True,
) -> list[EventType]:
    """Says the reply: after the product that fits when a prospect's message also states their situation, and
    before the answer to a second question in the same message when an entry answered the first."""
    text = (tracker.latest_message or {}).get("text") or ""
    events: list[EventType] = []
    # "physio chain, 5 clinics. can your data …?"
    if reply.entry_id is not None and prospect and extract(text).has_facts():
        reason = situation_reason(
            from_slots(tracker.get_slot),
            services.catalogue.products(),
            language=tracker.get_slot("language") or "de",
            messages=services.messages.get(),
        )
        if reason is not None:
            dispatcher.utter_message(text=reason.text)
            events = reason.events if reply.product is None else []  # an answer about a product decides
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons)
    if reply.entry_id is not None:
        second = second_answer(services.knowledge.get(), text, reply.entry_id, tracker.get_slot("language"),
                               focus=reply.product or tracker.get_slot("product"),
                               segment_products=preferred)  # fmt: skip
        if second is not None:
            dispatcher.utter_message(text=second.text)
    catalogue = {p.id for p in services.catalogue.products()}
    if reply.product and reply.product in catalogue and reply.product != tracker.get_slot("product"):
        return [SlotSet("product", reply.product)]
    return events


def answer_if_specific(
    services: Services, dispatcher: CollectingDispatcher, tracker: Tracker, product_known: bool = True
) -> list[EventType] | None:
    """For actions with a generic answer (action_show_specs): the knowledge entry's answer and its
    events when one clearly fits the question, else None (the action answers as before). Before the
    generic answer would ask which product (`product_known` False), a fitting entry answers instead."""
    message = tracker.latest_message or {}
    preferred = visitor_products(services, tracker)
    reply = specific_answer(
        services.knowledge.get(),
        message.get("text") or "",
        (message.get("intent") or {}).get("name"),
        tracker.get_slot("language"),
        focus=tracker.get_slot("product"),
        segment_products=preferred,
        product_known=product_known,
    )
    return None if reply is None else _say(services, dispatcher, tracker, reply, preferred)


def answer_entry(services: Services, dispatcher: CollectingDispatcher, tracker: Tracker, entry_id: str) -> (
        list[EventType] | None):
    """The answer of the knowledge entry `entry_id` and its events; None when the knowledge file has no such entry."""
    index = services.knowledge.get()
    if index.entry(entry_id) is None:
        return None
    reply = answer_question(index, "", None, tracker.get_slot("language"), topic=entry_id)
    return _say(services, dispatcher, tracker, reply, visitor_products(services, tracker))


class ActionAnswerQuestion(ServiceAction):
    """Answers from the best-fitting knowledge entry; without one, offers the nearest topics as buttons."""

    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        message = tracker.latest_message or {}
        preferred = visitor_products(self.services, tracker)
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name")
        if is_follow_up(text):
            follow_up = self._follow_up(dispatcher, tracker, preferred)
            if follow_up is not None:
                return follow_up
            intent = None  # the previous question has no answer for the other product: the usual threshold
        reply = answer_question(
            self.services.knowledge.get(),
            text,
            intent,
            tracker.get_slot("language"),
            topic=next(tracker.get_latest_entity_values("topic"), None),
            focus=tracker.get_slot("product"),
            segment_products=preferred,
            missed_before=_missed_before(tracker),
        )
        events = _say(self.services, dispatcher, tracker, reply, preferred)
        # a customer's support question that an entry answered ("wie koppel ich den Clip neu?", read as a topic):
        # thanks for it get the NPS question, as after action_answer_request
        if (reply.entry_id and tracker.get_slot("journey_phase") == "retention" and not reports_fault(text)
                and should_ask_nps(self.services, tracker)):  # fmt: skip
            events = [*events, SlotSet("nps_due", True)]
        return events

    def _follow_up(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, preferred: frozenset[str]
    ) -> list[EventType] | None:
        """A follow-up such as "and for the sensor product too?": the previous question answered for the product
        this message names; None when no entry fits."""
        text = (tracker.latest_message or {}).get("text") or ""
        product = find_product(text, self.services.catalogue.products())
        users = [e for e in tracker.events if e.get("event") == "user"]
        previous_text = (users[-2].get("text") or "") if len(users) >= 2 else ""
        if product is None or not previous_text or previous_text.startswith("/"):
            return None  # nothing asked before (a button payload is no question to ask again)
        # the previous question about the product this message names (its word, e.g. "sense", names it in the search)
        previous = f"{without_product_names(previous_text)} {product.id.rsplit('-', 1)[-1]}"
        reply = answer_question(self.services.knowledge.get(), previous, None, tracker.get_slot("language"),
                                focus=product.id, segment_products=preferred)  # fmt: skip
        if reply.entry_id is None:
            return None
        dispatcher.utter_message(text=reply.text)
        return [SlotSet("product", product.id)] if tracker.get_slot("product") != product.id else []


#: the standard answer to an existing customer's request, per intent
REQUEST_RESPONSES = {
    "ask_support": "utter_support",
    "ask_billing": "utter_billing",
    "ask_renewal": "utter_renewal",
    "ask_delivery": "utter_delivery",
}


#: requests whose answer, when it helped, is followed by the NPS question
NPS_AFTER = frozenset({"ask_support", "ask_billing", "ask_delivery"})


class ActionAnswerRequest(ServiceAction):
    """An existing customer's request (support, invoice, contract, delivery): the knowledge entry that answers it
    ("der Clip passt nicht, die Tür vom Zählerschrank geht nicht zu"), else the standard answer with the help
    centre, the customer area and support."""

    def name(self) -> str:
        return "action_answer_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        message = tracker.latest_message or {}
        preferred = visitor_products(self.services, tracker)
        intent = (message.get("intent") or {}).get("name") or ""
        reply = request_answer(
            self.services.knowledge.get(),
            message.get("text") or "",
            tracker.get_slot("language"),
            focus=tracker.get_slot("product"),
            segment_products=preferred,
            intent=intent,
        )
        if reply is None:
            dispatcher.utter_message(response=REQUEST_RESPONSES.get(intent, "utter_support"))
            return []
        # a customer's "two of our sensors are offline" needs no product recommended for 2 measuring points, and
        # support if the entry does not solve it
        fault = reports_fault(message.get("text") or "")
        events = _say(self.services, dispatcher, tracker, reply, preferred, prospect=not fault)
        if fault and "support" not in reply.text.lower():  # the warranty answer names support itself
            dispatcher.utter_message(text=self.services.messages.get().render("fault_support",
                                                                              tracker.get_slot("language")))
        # an answer that solves a support, invoice or delivery request (not a cancellation, not a fault sent on to
        # support): thanks for it get the NPS question, when it is due (data/rules/aftersale.yml)
        if intent in NPS_AFTER and not fault and should_ask_nps(self.services, tracker):
            events = [*events, SlotSet("nps_due", True)]
        return events


#: a question whether the product is tested or certified ("TÜV or self-certified?"): the overview answers it
_CERTIFIED = re.compile(r"t(?:ü|ue|u)v|zertifi|certif|gepr(?:ü|ue)ft|tested|accredit|akkredit", re.IGNORECASE)


class ActionAnswerGuarantee(ServiceAction):
    """How to try without risk: for a product the message names ("and a longer business trial?") or, without one,
    the product in focus ("und wenn es nix bringt, kann ich es retournieren?" about the clip), that product's entry
    (trial with TEST60, money back, warranty); otherwise the overview of all products (utter_guarantee)."""

    def name(self) -> str:
        return "action_answer_guarantee"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        products = self.services.catalogue.products()
        named = find_product(text, products) or product_of_plan(text, products)
        in_focus = None if _CERTIFIED.search(text) else tracker.get_slot("product")  # the overview names the TÜV test
        focus = named or next((p for p in products if p.id == in_focus), None)
        if focus is not None:
            reply = product_answer_for_intent(self.services.knowledge.get(), text, "ask_guarantee", focus.id,
                                              tracker.get_slot("language"))  # fmt: skip
            if reply is not None:
                dispatcher.utter_message(text=reply.text)
                return [SlotSet("product", focus.id)] if tracker.get_slot("product") != focus.id else []
        dispatcher.utter_message(response="utter_guarantee")
        return []
