"""Offers the next step that fits the visitor, and delivers or drops it on yes or no."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.aftersale import ActionRequestSupportCall
from actions.base import ServiceAction, visitor_products
from actions.experience import ActionShowVideo, ActionShowVoucher
from actions.leads import ActionHandleContactRequest
from actions.products import ActionShowPrices, ActionShowProduct, ActionShowSpecs
from actions.reviews import ActionShowReviews
from actions.summary import ActionCreateBossSummary
from bot.catalogue.service import find_product
from bot.conversation.questions import PRICE_REQUEST, VOUCHER_REQUEST, open_request, open_second_answer
from bot.journey.inference import turns_from_events
from bot.journey.offers import choose_offer
from bot.services import Services

# Offers delivered by one of our actions run it right away, inside action_accept_offer, so the
# rules need no extra step; anything else (e.g. a form) is started with a FollowupAction.
DELIVERING_ACTIONS: dict[str, type[ServiceAction]] = {
    action().name(): action
    for action in (ActionShowProduct, ActionShowPrices, ActionShowSpecs, ActionShowReviews, ActionShowVideo,
                   ActionShowVoucher, ActionCreateBossSummary, ActionHandleContactRequest, ActionRequestSupportCall)
}  # fmt: skip


def asked_with_buttons_this_turn(events: list[dict[str, Any]]) -> bool:
    """True when the bot already put a choice (buttons) to the visitor since their last message."""
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and (event.get("data") or {}).get("buttons"):
            return True
    return False


class ActionOfferNextStep(ServiceAction):
    """Chooses the step that fits persona, phase and segment and sets `pending_offer`.

    A rule then utters `utter_offer`, whose variation for that offer and language asks the
    visitor; with no fitting offer the slot is cleared and the bot just listens.
    """

    def name(self) -> str:
        return "action_offer_next_step"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        made = list(tracker.get_slot("offers_made") or [])
        self._answer_second_question(dispatcher, tracker)  # the visitor's own second question before any offer
        answered = answer_open_request(self.services, dispatcher, tracker, domain)  # or their price or voucher
        buttons = any(message.get("buttons") for message in dispatcher.messages)
        if buttons or asked_with_buttons_this_turn(tracker.events):  # one question at a time
            return [*answered, *([SlotSet("pending_offer", None)] if tracker.get_slot("pending_offer") else [])]
        offer = choose_offer(
            self.services.offers.get(),
            persona=tracker.get_slot("persona"),
            phase=tracker.get_slot("journey_phase"),
            segment=tracker.get_slot("segment"),
            asked={turn.intent for turn in turns_from_events(tracker.events) if turn.intent},
            already_offered=made,
        )
        if offer is None:
            return [*answered, *([SlotSet("pending_offer", None)] if tracker.get_slot("pending_offer") else [])]
        return [*answered, SlotSet("pending_offer", offer.name), SlotSet("offers_made", [*made, offer.name])]

    def _answer_second_question(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """A second question in the visitor's message that the intent's answer left open, answered from the knowledge
        entry that clearly fits it (bot.conversation.questions.open_second_answer)."""
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name")
        if not text or text.startswith("/") or intent in SECOND_ANSWERED:
            return
        reply = open_second_answer(self.services.knowledge.get(), text, intent, tracker.get_slot("language"),
                                   focus=tracker.get_slot("product"),
                                   segment_products=visitor_products(self.services, tracker),
                                   already_said=lambda said: said_this_turn(tracker.events, said))  # fmt: skip
        if reply is not None:
            dispatcher.utter_message(text=reply.text)


def answer_open_request(services: Services, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: dict[str, Any]) -> list[EventType]:  # fmt: skip
    """The price or the vouchers a second part of the visitor's message asks for, when the answer to the first did not
    give them (bot.conversation.questions.open_request); a price only for a product named or in focus."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    if not text or text.startswith("/"):
        return []
    request = open_request(text, (message.get("intent") or {}).get("name"))
    if request == PRICE_REQUEST and (tracker.get_slot("product") or find_product(text, services.catalogue.products())):
        return ActionShowPrices(services).run(dispatcher, tracker, domain)
    if request == VOUCHER_REQUEST:
        return ActionShowVoucher(services).run(dispatcher, tracker, domain)
    return []


class ActionAnswerOpenRequest(ServiceAction):
    """After a knowledge entry's answer: the price or the vouchers another part of the message asked for ("how much is
    the clip, and does the app run on an iPhone?")."""

    def name(self) -> str:
        return "action_answer_open_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return answer_open_request(self.services, dispatcher, tracker, domain)


def said_this_turn(events: list[dict[str, Any]], text: str) -> bool:
    """True when the bot said `text` since the visitor's last message (its end is enough: the product's name may be
    spelt out differently at the start)."""
    end = text[-60:]
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and end in (event.get("text") or ""):
            return True
    return False


#: intents whose actions answer a second question themselves (knowledge entries, situation statements)
SECOND_ANSWERED = frozenset({"ask_topic", "inform_situation", "nlu_fallback"})


class ActionAcceptOffer(ServiceAction):
    """The visitor said yes: deliver what was offered."""

    def name(self) -> str:
        return "action_accept_offer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        offer = self.services.offers.get().offers.get(tracker.get_slot("pending_offer") or "")
        if offer is None:
            dispatcher.utter_message(response="utter_how_can_help")
            return []
        if offer.deliver.startswith("utter_"):
            dispatcher.utter_message(response=offer.deliver)
            return [SlotSet("pending_offer", None)]
        if offer.deliver in DELIVERING_ACTIONS:
            delivered = DELIVERING_ACTIONS[offer.deliver](self.services).run(dispatcher, tracker, domain)
            stale = tracker.get_slot("contact_path") and not any(e.get("name") == "contact_path" for e in delivered)
            return [SlotSet("pending_offer", None), *([SlotSet("contact_path", None)] if stale else []), *delivered]
        return [SlotSet("pending_offer", None), FollowupAction(offer.deliver)]


class ActionDeclineOffer(ServiceAction):
    """The visitor said no: acknowledge, and never make that offer again."""

    def name(self) -> str:
        return "action_decline_offer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_offer_declined")
        return [SlotSet("pending_offer", None)] if tracker.get_slot("pending_offer") else []
