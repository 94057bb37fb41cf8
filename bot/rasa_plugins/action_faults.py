"""A visitor never waits in silence for a broken action server.

Rasa waits up to 300 s for the action server and, when a call fails, drops the action's events and
goes on without a word: with a hung action server (SIGSTOP, a deadlock) the visitor's message gets
no answer at all, with a killed one an empty reply. In our Rasa process every call to the action
server instead has a timeout (`ACTION_TIMEOUT`, 4 s by default), and a call that times out, cannot
connect or gets an error status is answered with `utter_technical_problem` in the visitor's
language, once per message, and logged once with its reason. Once a message has had its apology,
its further actions are not sent to the action server (no second wait); the next message tries
again, so the conversation goes on by itself once the action server is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

logger = logging.getLogger(__name__)

APOLOGY = "utter_technical_problem"
#: visitor messages remembered as apologised for (sender, message id); the oldest are forgotten
KEPT_MESSAGES = 10_000
#: Rasa's own error line for a refused connection; ours says the same once, with the reason
_RASA_CONNECT_ERROR = "Couldn't connect to the server"


#: the visitor messages that already had their apology
_apologised_for: OrderedDict[tuple[str, str | None], None] = OrderedDict()


def _message_key(tracker: Any) -> tuple[str, str | None]:
    latest = getattr(tracker, "latest_message", None)
    return (str(tracker.sender_id), getattr(latest, "message_id", None))


def _reason(error: BaseException) -> str:
    cause = error.__cause__ or error.__context__
    if isinstance(error, asyncio.TimeoutError) or isinstance(cause, asyncio.TimeoutError):
        return "no answer within the timeout"
    text = str(error)
    if _RASA_CONNECT_ERROR in text:
        return "could not connect"
    return f"{type(cause or error).__name__}: {cause or error}"


async def _apology(output_channel: Any, nlg: Any, tracker: Any) -> list[Any]:
    """`utter_technical_problem`, remembered for the visitor's message so that its further actions are skipped."""
    from rasa.core.actions.action import create_bot_utterance

    _apologised_for[_message_key(tracker)] = None
    while len(_apologised_for) > KEPT_MESSAGES:
        _apologised_for.popitem(last=False)
    message = await nlg.generate(APOLOGY, tracker, output_channel.name())
    return [create_bot_utterance(message)] if message else []


def _keep_one_log_line(record: logging.LogRecord) -> bool:
    """Rasa's own error line for a refused connection: ours (with the action and the reason) replaces it."""
    return _RASA_CONNECT_ERROR not in record.getMessage()


def install(timeout_s: float) -> None:
    """Every call to the action server gets `timeout_s`, and a failed one an apology instead of silence."""
    from rasa.core.actions import action as rasa_action
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.exceptions import RasaException

    rasa_action.DEFAULT_REQUEST_TIMEOUT = timeout_s  # the per-request timeout RemoteAction.run passes
    logging.getLogger(rasa_action.__name__).addFilter(_keep_one_log_line)
    original = RemoteAction.run

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        if _message_key(tracker) in _apologised_for:
            return []  # this message already waited once and got its apology
        try:
            events = await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # a form's validation: Rasa's policies handle it
        except (RasaException, asyncio.TimeoutError) as error:
            logger.error("Action %s failed for conversation %s: %s; the visitor gets an apology",
                         self.name(), tracker.sender_id, _reason(error))  # fmt: skip
            return await _apology(output_channel, nlg, tracker)
        return list(events)

    RemoteAction.run = run  # type: ignore[method-assign]
