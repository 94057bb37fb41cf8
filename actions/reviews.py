"""Reviews that fit the visitor; skeptics also see a critical one with the company's answer, and a doubt about a
product gets what its customers typically save."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue_base import CatalogueAction
from bot.catalogue.service import average_rating, find_product, fitting_reviews
from bot.formatting import number, review_fields
from bot.numbers import parse_number


class ActionShowReviews(CatalogueAction):
    """Average rating, count and two or three reviews matching language, segment and company size.

    Without a clear product the visitor gets the reviews of all products (a skeptic asking "any real
    reviews?" wants reviews, not a product choice).
    """

    intent = "ask_reviews"

    def name(self) -> str:
        return "action_show_reviews"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        product = self.product(dispatcher, tracker, events, ask=False)
        products = [product] if product else self.services.catalogue.products()
        if not products:
            return events  # the visitor has been told the catalogue is unavailable
        language = tracker.get_slot("language") or "de"
        all_reviews = [review for p in products for review in p.reviews]
        name = product.name if product else "Wattwerk"
        business = product.segment == "b2b" if product else tracker.get_slot("segment") == "b2b"
        size = next(tracker.get_latest_entity_values("number"), None)
        parsed = parse_number(str(size)) if size is not None else None
        chosen = fitting_reviews(
            all_reviews,
            language=language,
            company_size=int(parsed.value) if parsed and business else None,
            skeptic=tracker.get_slot("persona") == "skeptic",
        )
        self.say(dispatcher, tracker, "reviews_summary", product_name=name,
                 average=number(average_rating(all_reviews), language), count=len(all_reviews))  # fmt: skip
        for review in chosen:
            self.say(dispatcher, tracker, "review", **review_fields(review, language))
            if review.rating <= 3 and review.response:
                self.say(dispatcher, tracker, "review_answer", answer=review.response.get(language))
        shown = list(tracker.get_slot("reviews_shown") or [])
        new = [r.id for r in chosen if r.id not in shown]
        return [*events, SlotSet("reviews_shown", shown + new)] if new else events


class ActionAnswerDoubt(CatalogueAction):
    """A doubt ("bringt der Clip wirklich was oder ist das Bauernfängerei?"): the proof we offer (utter_doubt), and
    for a product the visitor names or talks about, what its customers typically save (`roi.typical_results`)."""

    intent = "express_doubt"

    def name(self) -> str:
        return "action_answer_doubt"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = []
        products = self.services.catalogue.products()
        named = find_product(tracker.latest_message.get("text") or "", products) if products else None
        focus = named or next((p for p in products if p.id == tracker.get_slot("product")), None)
        if focus is not None and focus.roi is not None and focus.roi.typical_results is not None:
            dispatcher.utter_message(text=focus.roi.typical_results.get(tracker.get_slot("language") or "de"))
            if named is not None and tracker.get_slot("product") != named.id:
                events.append(SlotSet("product", named.id))
        dispatcher.utter_message(response="utter_doubt")
        return events
