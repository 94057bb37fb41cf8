"""The website widget: the privacy notice once, and a greeting per page (data/website/site.yml)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.aftersale import ask_nps, should_ask_nps
from actions.base import ServiceAction
from bot.aftersale.customers import CUSTOMER_AREA
from bot.journey.inference import turns_from_events
from bot.website import page_to_greet, privacy_url


class ActionGreetPage(ServiceAction):
    """Answers the widget's hidden `/page_view`, sent on every page load before the visitor can type.

    The first one in a conversation shows the privacy notice; each page (in either language) is
    greeted once, in the conversation's language (the browser's until the visitor's words say otherwise).
    An offer that waits for an answer is put again after a greeting (data/rules/website.yml); otherwise, in the
    customer area, a customer gets the NPS question when it is due (actions/aftersale.py).
    """

    def name(self) -> str:
        return "action_greet_page"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        site = self.services.website.get()
        language = tracker.get_slot("language")
        events: list[EventType] = []
        if not tracker.get_slot("privacy_notice_shown"):
            url = privacy_url(site, self.services.settings.web_base_url, language)
            self.say(dispatcher, tracker, "privacy_notice", privacy_url=url)
            events.append(SlotSet("privacy_notice_shown", True))
        greeted = list(tracker.get_slot("greeted_pages") or [])
        turns = turns_from_events(tracker.events)
        page = page_to_greet(site, str(turns[-1].page.get("path") or "") if turns else "", greeted)
        if page is not None:
            events.append(SlotSet("greeted_pages", [*greeted, page.key]))
            pending = tracker.get_slot("pending_offer")
            if page.key == CUSTOMER_AREA and not pending and should_ask_nps(self.services, tracker):
                # a customer in the customer area: the welcome with the NPS question instead of the page's greeting
                return [*events, *ask_nps(self.services, dispatcher, tracker, "nps_question_customer_area")]
            dispatcher.utter_message(text=site.page(page.key, language).greeting)
            if pending:
                # The offer still waits for a yes or no: ask it again below the greeting.
                dispatcher.utter_message(response="utter_offer")
        return events
