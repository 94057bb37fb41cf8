"""A wish for more seats, sites or a bigger plan: an existing customer's extension, or a prospect's question about
size (issue 16's after-sale journey; the journey model decides which, docs/journey.md)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.aftersale import new_request
from actions.products import ActionShowPrices
from bot.aftersale.customers import CUSTOMER_PHASES


class ActionHandleUpsell(ActionShowPrices):
    """More seats, sites or a bigger plan. A visitor not known to be a customer asks what that size costs ("a law
    firm with 2 offices: is the clip enough or do we need Business?"): the prices, like `ask_price`, and no
    extension. An existing customer hears what the new size costs, if they gave one; then a business (or a customer
    whose segment is not known) is handed to sales as kind `upsell` through the contact questions, a household books
    it itself."""

    def name(self) -> str:
        return "action_handle_upsell"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not (tracker.get_slot("existing_customer") or tracker.get_slot("journey_phase") in CUSTOMER_PHASES):
            return [*super().run(dispatcher, tracker, domain), SlotSet("contact_path", "done")]
        events: list[EventType] = []
        # the new size's price, if they gave one (a customer knows the product; no "which product?" question)
        product = self.product(dispatcher, tracker, events, ask=False) if self.services.catalogue.products() else None
        if product is not None:
            self.price_for_size(dispatcher, tracker, product, events)
        if tracker.get_slot("segment") == "b2c":
            self.say(dispatcher, tracker, "upsell_self_service")
            return [*events, SlotSet("contact_path", "self_service")]
        if tracker.get_slot("handoff_id") and tracker.get_slot("handoff_kind") == "upsell":
            self.say(dispatcher, tracker, "lead_already", salesperson=tracker.get_slot("handoff_assignee") or "")
            return [*events, SlotSet("contact_path", "done")]
        self.say(dispatcher, tracker, "upsell_to_sales")
        return [*events, *new_request(tracker), SlotSet("handoff_kind", "upsell"), SlotSet("contact_path", "lead")]
