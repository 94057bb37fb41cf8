"""The journey's custom slot mapping: run once per visitor message, inside the Rasa process.

Every visitor message sets the journey slots (phase, persona, segment, language, touchpoint and the
visitor's situation) through one custom slot mapping, `action_track_journey`, which Rasa runs inside
`action_extract_slots`. Two things made that the largest fixed cost of a turn (issue 13):

- Rasa runs `action_extract_slots` again whenever a form starts, to fill the form's slots from the
  message that triggered it, and with it every custom mapping. So a message that starts the ROI
  calculator, the lead form or the callback form ran the journey twice; worse, a message that adds
  to what was said before ("3 more branches") was counted twice (4 + 3 + 3 sites). Here the custom
  mappings run only in the extraction that follows the message; entity, intent and trigger-intent
  mappings are still read again at form start, as Rasa does.
- Each run was a round trip to the action server (5–10 ms of a 50 ms turn) for 2–3 ms of work.
  Here rasa-sdk's executor runs the same action class (`actions/journey.py`, plain functions in
  `bot/journey/`) in this process: Rasa's own extraction code calls it through an endpoint that
  stands in for the action server, with the same request and response documents that would have
  gone over HTTP (the events as dictionaries kept per event, not parsed from JSON). Other actions
  still go to the action server.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from functools import cache
from typing import Any

from bot.rasa_plugins.action_payload import SerialisedEvents

logger = logging.getLogger(__name__)

#: custom slot-mapping actions that run in the Rasa process instead of the action server
IN_PROCESS_ACTIONS = ("action_track_journey",)

_AFTER_MESSAGE: ContextVar[bool] = ContextVar("journey_extraction_after_message", default=False)
_DICT = "_journey_dict"  # the attribute that keeps an event's dictionary on the event object


def event_dict(event: Any) -> dict[str, Any]:
    """`event.as_dict()`, computed once per event (an event never changes once it is in the conversation).
    Shared between calls: the in-process actions only read it."""
    value = event.__dict__.get(_DICT)
    if value is None:
        value = event.__dict__[_DICT] = event.as_dict()
    return value


class InProcessEndpoint:
    """Stands in for the action server's endpoint: rasa-sdk's executor, with the in-process actions, runs here."""

    def __init__(self) -> None:
        self._executor: Any = None
        # as `endpoints.yml`'s action endpoint: the domain goes only to actions that ask for it (the journey does not)
        self.kwargs = {"enable_selective_domain": True}

    def executor(self) -> Any:
        if self._executor is None:
            from rasa_sdk.executor import ActionExecutor

            from actions.journey import ActionTrackJourney

            self._executor = ActionExecutor()
            self._executor.register_action(ActionTrackJourney())
        return self._executor

    async def request(self, method: str = "post", **kwargs: Any) -> dict[str, Any]:
        """What the action server would answer: the response document, as JSON would carry it."""
        from rasa.shared.exceptions import RasaException

        body = kwargs["json"]
        events = body["tracker"]["events"]
        if isinstance(events, SerialisedEvents):  # the kept JSON texts: the same events as kept dictionaries
            body = {**body, "tracker": {**body["tracker"], "events": [event_dict(e) for e in events.events]}}
        try:
            result = await self.executor().run(body)
        except Exception as exc:  # Rasa logs it once (action_extract_slots: "Failed to execute custom action")
            raise RasaException(f"{type(exc).__name__}: {exc}") from exc
        return json.loads(json.dumps(result or {}))  # the value types an HTTP response would have

    def warm_up(self) -> None:
        """Reads what the journey needs (evidence, learned signal, catalogue) before the first visitor does."""
        from bot.services import get_services

        try:
            services = get_services()
            services.evidence.get()
            services.signal.get()
            services.catalogue.products()
        except Exception as exc:  # the first message tries again and reports its own failure
            logger.warning("Journey tracking not warmed up: %s", exc)


_ENDPOINT = InProcessEndpoint()


async def _run_action_extract_slots(processor: Any, output_channel: Any, tracker: Any) -> Any:
    """Rasa's extraction after a visitor message, marked as the one that runs the custom mapping actions."""
    token = _AFTER_MESSAGE.set(True)
    try:
        return await _rasas["run_action_extract_slots"](processor, output_channel, tracker)
    finally:
        _AFTER_MESSAGE.reset(token)


async def _execute_custom_action(
    extractor: Any, mapping: dict[str, Any], executed: set[str], *args: Any, **kwargs: Any
) -> tuple[list[Any], set[str]]:
    """Rasa's custom mapping call in the extraction after a message; none in a form's extraction at its start."""
    if not _AFTER_MESSAGE.get():
        return [], executed
    return await _rasas["execute_custom_action"](extractor, mapping, executed, *args, **kwargs)


async def _run_custom_action(extractor: Any, custom_action: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Rasa's `ActionExtractSlots._run_custom_action`, through this process's endpoint for the in-process actions."""
    if custom_action in IN_PROCESS_ACTIONS:
        extractor = _in_process_extractor()
    return await _rasas["run_custom_action"](extractor, custom_action, *args, **kwargs)


@cache
def _in_process_extractor() -> Any:
    """Rasa's slot extraction with this process's endpoint in place of the action server's."""
    from rasa.core.actions.action import ActionExtractSlots

    return ActionExtractSlots(_ENDPOINT)  # type: ignore[arg-type]


_rasas: dict[str, Any] = {}


def install() -> None:
    """Puts the once-per-message, in-process journey mapping in place; called once when our Rasa process starts."""
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.processor import MessageProcessor

    if _rasas:
        return
    _rasas["run_action_extract_slots"] = MessageProcessor.run_action_extract_slots
    _rasas["execute_custom_action"] = ActionExtractSlots._execute_custom_action
    _rasas["run_custom_action"] = ActionExtractSlots._run_custom_action
    MessageProcessor.run_action_extract_slots = _run_action_extract_slots  # type: ignore[method-assign]
    ActionExtractSlots._execute_custom_action = _execute_custom_action  # type: ignore[method-assign]
    ActionExtractSlots._run_custom_action = _run_custom_action  # type: ignore[method-assign]
    _ENDPOINT.warm_up()
