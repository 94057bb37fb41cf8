"""What every Journey Bot action shares: access to the services in `bot/`, texts in the visitor's language."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.knowledge import segment_products
from bot.services import Services, get_services


def visitor_products(services: Services, tracker: Tracker) -> frozenset[str]:
    """The catalogue ids of the products for the visitor's segment (b2b/b2c), which the knowledge search prefers."""
    products = {p.id: p.segment for p in services.catalogue.products()}
    return segment_products(tracker.get_slot("segment"), products)


class UsesServices:
    """Services passed in by tests, or built once per process by the action server."""

    def __init__(self, services: Services | None = None) -> None:
        self._services = services

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = get_services()
        return self._services

    def say(self, dispatcher: CollectingDispatcher, tracker: Tracker, message: str, **values: Any) -> None:
        """Utters `message` from data/content/messages.yml in the visitor's language."""
        text = self.services.messages.get().render(message, tracker.get_slot("language"), **values)
        dispatcher.utter_message(text=text)


class ServiceAction(UsesServices, Action, ABC):
    """Abstract base (not registered by rasa-sdk)."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain; abstract, so rasa-sdk does not register this base."""


class SayAction(ServiceAction, ABC):
    """Abstract: says one message from data/content/messages.yml, e.g. a form's question."""

    message: str

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        self.say(dispatcher, tracker, self.message)
        return []
