"""For the experience seeker: the video and a voucher that is valid today (never an expired one)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue_base import CatalogueAction
from bot.catalogue.service import valid_vouchers
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
        product = self.product(dispatcher, tracker, events)
        if not product:
            return events
        language = tracker.get_slot("language")
        vouchers = valid_vouchers(product, self.services.today())
        if not vouchers:
            self.say(dispatcher, tracker, "no_voucher", product_name=product.name)
            return events
        voucher = max(vouchers, key=lambda v: v.valid_until)
        self.say(dispatcher, tracker, "voucher", product_name=product.name, code=voucher.code,
                 value=voucher.value.get(language), valid_until=day(voucher.valid_until, language or "de"))  # fmt: skip
        return events
