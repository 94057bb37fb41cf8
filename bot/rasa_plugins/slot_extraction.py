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
  `bot/journey/`) in this process, with the same request and response documents that would have
  gone over HTTP, and Rasa's own code handles the response. Other actions still go to the action
  server.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from functools import cache
from typing import Any

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


@cache
def _in_process_action_class() -> type:
    """Rasa's RemoteAction, sending to this process's executor, with the events as kept dictionaries."""
    from rasa.core.actions.action import RemoteAction

    class InProcessAction(RemoteAction):
        def _action_call_format(self, tracker: Any, domain: Any) -> dict[str, Any]:
            import rasa
            from rasa.shared.core.trackers import EventVerbosity

            state = tracker.current_state(EventVerbosity.NONE)
            state["events"] = [event_dict(event) for event in tracker.events]
            return {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state,
                    "version": rasa.__version__}  # fmt: skip

    return InProcessAction


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


async def _run_custom_action(
    extractor: Any, custom_action: str, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Any]:
    """Rasa's `ActionExtractSlots._run_custom_action`, with the in-process actions run here."""
    if custom_action not in IN_PROCESS_ACTIONS:
        return await _rasas["run_custom_action"](extractor, custom_action, output_channel, nlg, tracker, domain)
    from aiohttp import ClientResponseError
    from rasa.shared.core.events import BotUttered, SlotSet
    from rasa.shared.exceptions import RasaException

    try:
        action = _in_process_action_class()(custom_action, _ENDPOINT)
        events = await action.run(output_channel, nlg, tracker, domain)
    except (RasaException, ClientResponseError) as exc:
        logger.warning("Failed to execute custom action '%s' as a result of error '%s'. The default action "
                       "'action_extract_slots' failed to fill slots with custom mappings.", custom_action, exc)
        return []
    kept = [event for event in events if isinstance(event, SlotSet | BotUttered)]
    for dropped in {event.type_name for event in events if not isinstance(event, SlotSet | BotUttered)}:
        logger.info("Running custom action '%s' has resulted in an event of type '%s'. This is disallowed and the "
                    "tracker will not be updated with this event.", custom_action, dropped)
    return kept


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
