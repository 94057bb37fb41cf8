"""What every Journey Bot action shares: access to the services in `bot/`."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action

from bot.services import Services, get_services


class ServiceAction(Action, ABC):
    """Abstract base (not registered by rasa-sdk): tests pass services, the server builds them."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain; abstract, so rasa-sdk does not register this base."""

    def __init__(self, services: Services | None = None) -> None:
        self._services = services

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = get_services()
        return self._services
