"""After the sale: a customer who asks about recommending us gets the review link and their personal referral link
(bot/aftersale/referrals.py); the code is generated once per customer and stored."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction
from bot.aftersale.referrals import code_for, link


class ActionReferralLink(ServiceAction):
    def name(self) -> str:
        return "action_referral_link"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        services = self.services
        customer = tracker.sender_id  # who it belongs to: the visitor's conversation (no customer number yet)
        code = code_for(services.session_factory, customer, tracker.sender_id, services.now())
        self.say(dispatcher, tracker, "referral_link", link=link(services.settings.web_base_url, code), code=code)
        return []
