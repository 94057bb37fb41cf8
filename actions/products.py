"""Product information, prices and technical details from the catalogue."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue_base import CatalogueAction
from actions.knowledge import answer_entry, answer_if_specific
from bot.catalogue.schema import Product
from bot.catalogue.service import discount_voucher
from bot.conversation.answers import combined_total, growth_note, price_for_size, quantity_slot
from bot.conversation.knowledge import HOSTING_ENTRY
from bot.conversation.pricing import (
    asked_years,
    is_tiered,
    mentions_voucher,
    named_plan,
    quote,
    quote_message,
    voucher_message,
    years_message,
    years_messages,
)
from bot.conversation.situation import from_slots
from bot.formatting import features_text, money, plans_text, specs_text, unit_name


class ActionShowProduct(CatalogueAction):
    """What the product does, with its key features and the documentation link."""

    intent = "ask_features"

    def name(self) -> str:
        return "action_show_product"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        product = self.product(dispatcher, tracker, events)
        if product:
            language = tracker.get_slot("language")
            self.say(dispatcher, tracker, "product_info", product_name=product.name,
                     description=product.description.get(language), features=features_text(product, language),
                     docs_url=product.docs_url)  # fmt: skip
        return events


class ActionShowPrices(CatalogueAction):
    """The plans and prices of the product that fits the visitor's segment."""

    intent = "ask_price"

    def name(self) -> str:
        return "action_show_prices"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        product = self.product(dispatcher, tracker, events)
        if product and not self.price_for_size(dispatcher, tracker, product, events):
            language = tracker.get_slot("language")
            text = tracker.latest_message.get("text") or ""
            self.say(dispatcher, tracker, "prices", product_name=product.name, plans=plans_text(product, language))
            voucher = discount_voucher(product, tracker.get_slot("voucher"), self.services.today(),
                                       current=mentions_voucher(text))  # fmt: skip
            with_code = voucher and quote(product, 1)  # the code the visitor was given, on one unit
            said = with_code and voucher_message(with_code, voucher, language, self.services.messages.get())
            if said:
                dispatcher.utter_message(text=said)
        return events

    def price_for_size(self, dispatcher: CollectingDispatcher, tracker: Tracker, product: Product,
                       events: list[EventType]) -> bool:  # fmt: skip
        """The plan and price worked out for the size the visitor gave (sites, machines, years, a voucher), said;
        False, saying nothing, when no size is known."""
        language = tracker.get_slot("language")
        text = tracker.latest_message.get("text") or ""
        worked_out = price_for_size(product, from_slots(tracker.get_slot), text)
        if worked_out is None:
            return False
        messages = self.services.messages.get()
        voucher = discount_voucher(product, tracker.get_slot("voucher"), self.services.today(),
                                   current=mentions_voucher(text))  # fmt: skip
        said = [quote_message(worked_out, language, messages),
                voucher and voucher_message(worked_out, voucher, language, messages),
                growth_note(worked_out, text, language, messages)]  # fmt: skip
        years = asked_years(text)
        if years:
            said += years_messages(worked_out, years, language, messages, named_plan(product, text) is not None)
        said.append(combined_total(self.services.catalogue.products(), from_slots(tracker.get_slot), text,
                                   language, messages))  # fmt: skip
        for message in filter(None, said):
            dispatcher.utter_message(text=message)
        slot = quantity_slot(product.id)
        if slot and tracker.get_slot(slot) != worked_out.units:
            events.append(SlotSet(slot, float(worked_out.units)))
        return True


#: a question where the data is kept
HOSTING_INTENT = "ask_hosting"


class ActionShowSpecs(CatalogueAction):
    """Specs, integrations, hosting facts and the documentation link, for the technical visitor."""

    intent = "ask_specs"

    def name(self) -> str:
        return "action_show_specs"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        specific = answer_if_specific(self.services, dispatcher, tracker)  # the asked fact, not the spec sheet
        if specific is not None:
            return specific
        events: list[EventType] = []
        product = self.product(dispatcher, tracker, events, ask=False)
        if product is None and self.services.catalogue.products():  # an entry that fits answers before "which product?"
            specific = answer_if_specific(self.services, dispatcher, tracker, product_known=False)
            if specific is None and (tracker.latest_message.get("intent") or {}).get("name") == HOSTING_INTENT:
                specific = answer_entry(self.services, dispatcher, tracker, HOSTING_ENTRY)  # the same for every product
            if specific is not None:
                return specific
            product = self.product(dispatcher, tracker, events)
        if product:
            language = tracker.get_slot("language")
            self.say(dispatcher, tracker, "specs", product_name=product.name, specs=specs_text(product, language),
                     integrations=", ".join(product.integrations) or "–", hosting=product.hosting.get(language),
                     docs_url=product.docs_url)  # fmt: skip
        return events


class ActionAnnualBillingForSize(CatalogueAction):
    """Before the discount terms: what annual billing saves for the visitor's size, when product and size are known
    ("und wenn wir fürs ganze Jahr zahlen?" after 7 sites: 10 × 149 € = 1.490 €). Says nothing otherwise."""

    intent = "ask_discount"

    def name(self) -> str:
        return "action_annual_billing_for_size"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        if not self.services.catalogue.products():
            return events  # the terms follow anyway; no product to work out
        product = self.product(dispatcher, tracker, events, ask=False)
        text = tracker.latest_message.get("text") or ""
        worked_out = price_for_size(product, from_slots(tracker.get_slot), text) if product else None
        if worked_out is None or not is_tiered(product) or worked_out.monthly_eur <= 0:
            return events  # annual billing saves two months on the tiered subscriptions only
        language = tracker.get_slot("language")
        self.say(dispatcher, tracker, "annual_billing_for_size", count=worked_out.units,
                 units=unit_name(product, worked_out.units, language),
                 product_name=product.name, plan_name=worked_out.plan.name.get(language),
                 monthly=money(worked_out.monthly_eur, language), yearly=money(worked_out.monthly_eur * 10, language),
                 twelve=money(worked_out.monthly_eur * 12, language))  # fmt: skip
        return events


class ActionShowCosts(CatalogueAction):
    """Set-up fees and running costs: worked out for the visitor's size when it is known, else the TCO example."""

    intent = "ask_tco"

    def name(self) -> str:
        return "action_show_costs"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        product = self.product(dispatcher, tracker, events, ask=False)
        text = tracker.latest_message.get("text") or ""
        worked_out = price_for_size(product, from_slots(tracker.get_slot), text) if product else None
        language = tracker.get_slot("language")
        if worked_out is None and product is not None and product.segment == "b2c":
            # a household: its own prices (a one-off clip, an optional monthly plan), not the business example
            self.say(dispatcher, tracker, "prices", product_name=product.name, plans=plans_text(product, language))
            return events
        if worked_out is None:
            dispatcher.utter_message(response="utter_tco")
            return events
        messages = self.services.messages.get()
        dispatcher.utter_message(text=quote_message(worked_out, language, messages))
        years = asked_years(text)
        if years:  # "the 3-year TCO for ten sites": the total for that time
            dispatcher.utter_message(text=years_message(worked_out, years, language, messages))
        return events
