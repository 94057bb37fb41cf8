"""For the influencer: a one-page summary for the boss, as a page to open or download."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue_base import CatalogueAction
from bot.conversation.answers import situation_answer
from bot.conversation.situation import extract, from_slots
from bot.summaries import create_summary


class ActionCreateBossSummary(CatalogueAction):
    """Stores a summary (product, benefits, the visitor's ROI result, two reviews, contact) and links it."""

    intent = "ask_boss_material"

    def name(self) -> str:
        return "action_create_boss_summary"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        product = self.product(dispatcher, tracker, events)
        if product is None:
            return events
        language = tracker.get_slot("language") or "de"
        text = tracker.latest_message.get("text") or ""
        if extract(text).has_facts():  # "3 sites, we need SSO – for my boss": the plan, what customers typically get
            fit = situation_answer(from_slots(tracker.get_slot), self.services.catalogue.products(),
                                   language=language, persona=None, messages=self.services.messages.get(),
                                   text=text)  # fmt: skip
            if fit is not None:
                dispatcher.utter_message(text=fit.text)
        roi = tracker.get_slot("roi_result")
        if not (isinstance(roi, dict) and roi.get("product") == product.id):
            roi = None
        summary = create_summary(self.services.session_factory, tracker.sender_id, language, product.id, roi,
                                 now=self.services.now())
        url = f"{self.services.settings.web_base_url}/summary/{summary.token}"
        roi_note = self.services.messages.get().render("boss_summary_roi_note", language) if roi else ""
        self.say(dispatcher, tracker, "boss_summary", url=url, download_url=f"{url}?download=1", roi_note=roi_note)
        return events
