"""Data rights in the chat (issue 17): after the visitor confirmed "Lösche meine Daten" (data/rules/privacy.yml),
everything stored of this conversation is deleted (bot/privacy/erase.py) and the answer names the privacy contact for
anything older. The tracker store keeps only what follows this action (bot/rasa_plugins/tracker_store.py)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.base import ServiceAction
from bot.privacy.erase import erase
from bot.privacy.records import Selector


class ActionDeleteMyData(ServiceAction):
    def name(self) -> str:
        return "action_delete_my_data"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        contact = self.services.settings.privacy_contact_email
        language = tracker.get_slot("language")
        try:  # the sender id as it is (no selector checks: it names this conversation, whatever it looks like)
            done = erase(self.services.session_factory, Selector("conversation", tracker.sender_id), "chat",
                         self.services.now())  # fmt: skip
        except SQLAlchemyError as error:  # nothing deleted (one transaction): say so, the visitor can ask again
            logging.getLogger(__name__).error("Deleting conversation %s failed: %s", tracker.sender_id, error)
            self.say(dispatcher, tracker, "data_deletion_failed", privacy_contact=contact)
            return []
        self.say(dispatcher, tracker, "data_deleted", privacy_contact=contact)
        if done.delivered:  # an e-mail or webhook already carried the request to the team
            self.say(dispatcher, tracker, "data_deleted_delivered", privacy_contact=contact)
        # what the bot knew is forgotten too; it keeps speaking the visitor's language
        return [AllSlotsReset(), *([SlotSet("language", language)] if language else [])]
