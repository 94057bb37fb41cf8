"""What the catalogue actions share: the visitor's language and the product they mean."""

from __future__ import annotations

from abc import ABC

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction
from bot.catalogue.schema import Product
from bot.catalogue.service import find_product, product_of_plan, products_for_segment
from bot.conversation.situation import fitting_product, from_slots


class CatalogueAction(ServiceAction, ABC):
    """Abstract: resolves the product (named, in context, or the only one for the segment)."""

    #: the intent a product button asks again, e.g. "ask_price"
    intent: str = "ask_features"

    def product(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, events: list[EventType], ask: bool = True
    ) -> Product | None:
        """The product the visitor means; with several candidates, buttons to choose (if `ask`) and None."""
        products = self.services.catalogue.products()
        if not products:
            self.say(dispatcher, tracker, "catalogue_unavailable")
            return None
        entity = next(tracker.get_latest_entity_values("product"), None)
        named = {p.id: p for p in products}.get(entity or "") or find_product(
            tracker.latest_message.get("text") or "", products
        )
        if named is None:  # "was kostet professional": the product of that plan
            named = product_of_plan(tracker.latest_message.get("text") or "", products)
        if named is None and tracker.get_slot("product") in {p.id for p in products}:
            named = next(p for p in products if p.id == tracker.get_slot("product"))
        if named is None:  # size and sector can decide it (9 bakeries: Business; 25 machines: Sense)
            implied = fitting_product(from_slots(tracker.get_slot))
            named = next((p for p in products if p.id == implied), None)
        if named is None:
            candidates = products_for_segment(products, tracker.get_slot("segment"))
            if len(candidates) == 1:
                named = candidates[0]
            elif not ask:
                return None
            else:
                text = self.services.messages.get().render("choose_product", tracker.get_slot("language"))
                buttons = [{"title": p.name, "payload": f'/{self.intent}{{"product":"{p.id}"}}'} for p in candidates]
                dispatcher.utter_message(text=text, buttons=buttons)
                return None
        if tracker.get_slot("product") != named.id:
            events.append(SlotSet("product", named.id))
        return named
