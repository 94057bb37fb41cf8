"""Product information, prices and technical details from the catalogue."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue_base import CatalogueAction
from actions.knowledge import answer_if_specific
from bot.formatting import features_text, plans_text, specs_text


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
        if product:
            language = tracker.get_slot("language")
            self.say(dispatcher, tracker, "prices", product_name=product.name, plans=plans_text(product, language))
        return events


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
        product = self.product(dispatcher, tracker, events)
        if product:
            language = tracker.get_slot("language")
            self.say(dispatcher, tracker, "specs", product_name=product.name, specs=specs_text(product, language),
                     integrations=", ".join(product.integrations) or "–", hosting=product.hosting.get(language),
                     docs_url=product.docs_url)  # fmt: skip
        return events
