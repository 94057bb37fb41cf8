"""For the experience seeker: the video and a voucher that is valid today (never an expired one)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue_base import CatalogueAction
from bot.catalogue.schema import Product, Voucher
from bot.catalogue.service import named_voucher, products_for_segment, valid_vouchers
from bot.conversation.answers import price_for_size
from bot.conversation.pricing import asks_price, quote, voucher_message
from bot.conversation.situation import from_slots
from bot.formatting import day


class ActionShowVideo(CatalogueAction):
    intent = "ask_video"

    def name(self) -> str:
        return "action_show_video"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        product = self.product(dispatcher, tracker, events)
        if product:
            self.say(dispatcher, tracker, "video", product_name=product.name, video_url=product.video_url)
        return events


class ActionShowVoucher(CatalogueAction):
    intent = "ask_voucher"

    def name(self) -> str:
        return "action_show_voucher"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        if not self.services.catalogue.products():
            self.say(dispatcher, tracker, "catalogue_unavailable")
            return events
        named = named_voucher(self.services.catalogue.products(), tracker.latest_message.get("text") or "")
        if named is not None:  # "Der Code SOMMER25 geht nicht": whether that code is valid, and what is
            return self._named(dispatcher, tracker, *named)
        product = self.product(dispatcher, tracker, events, ask=False)
        if product is None:  # "any discount code for a first order?": every product's current voucher at once
            candidates = products_for_segment(self.services.catalogue.products(), tracker.get_slot("segment"))
            offered = [p for p in candidates if valid_vouchers(p, self.services.today())]
            if not offered:
                self.product(dispatcher, tracker, events)  # which product? (then: none valid, the guarantee)
            for candidate in offered:
                events += self._offer(dispatcher, tracker, candidate)
            return events
        if not valid_vouchers(product, self.services.today()):
            self.say(dispatcher, tracker, "no_voucher", product_name=product.name)
            return events
        return events + self._offer(dispatcher, tracker, product)

    def _named(self, dispatcher: CollectingDispatcher, tracker: Tracker, product: Product, voucher: Voucher
               ) -> list[EventType]:  # fmt: skip
        language = tracker.get_slot("language") or "de"
        today = self.services.today()
        details = {"code": voucher.code, "product_name": product.name, "value": voucher.value.get(language),
                   "valid_from": day(voucher.valid_from, language), "valid_until": day(voucher.valid_until, language)}
        events: list[EventType] = [SlotSet("product", product.id)]
        if voucher.valid_on(today):
            self.say(dispatcher, tracker, "voucher_named_valid", **details)
            events += self._with_discount(dispatcher, tracker, product, voucher)
        else:
            self.say(dispatcher, tracker, "voucher_expired" if voucher.valid_until < today else "voucher_not_yet",
                     **details)  # fmt: skip
            current = [v for v in valid_vouchers(product, today) if v.code != voucher.code]
            if current:
                events += self._offer(dispatcher, tracker, product)
            else:
                self.say(dispatcher, tracker, "no_voucher", product_name=product.name)
        return events

    def _offer(self, dispatcher: CollectingDispatcher, tracker: Tracker, product: Product) -> list[EventType]:
        language = tracker.get_slot("language")
        voucher = max(valid_vouchers(product, self.services.today()), key=lambda v: v.valid_until)
        self.say(dispatcher, tracker, "voucher", product_name=product.name, code=voucher.code,
                 value=voucher.value.get(language), valid_until=day(voucher.valid_until, language or "de"))  # fmt: skip
        return self._with_discount(dispatcher, tracker, product, voucher)

    def _with_discount(self, dispatcher: CollectingDispatcher, tracker: Tracker, product: Product, voucher: Voucher
                       ) -> list[EventType]:  # fmt: skip
        """Remembers a code that takes something off (a later price answer works it out); when the message asks the
        price too ("gibts nen Gutschein? was zahl ich dann?"), the price with it at once."""
        if not voucher.has_discount:
            return []
        text = tracker.latest_message.get("text") or ""
        if asks_price(text):
            worked_out = price_for_size(product, from_slots(tracker.get_slot), text) or quote(product, 1)
            said = worked_out and voucher_message(worked_out, voucher, tracker.get_slot("language") or "de",
                                                  self.services.messages.get())  # fmt: skip
            if said:
                dispatcher.utter_message(text=said)
        return [SlotSet("voucher", voucher.code)] if tracker.get_slot("voucher") != voucher.code else []
