"""Rasa's answers come from the editors' file as it is now: the NLG endpoint (endpoints.yml `nlg:`).

Rasa's own callback generator waits up to 300 s for the endpoint and sends the whole tracker with every request.
This one asks the action server (`POST /nlg`, bot/action_server.py) with the conversation's slots only, waits
`NLG_TIMEOUT` (1 s by default), and when the endpoint fails (no answer in time, refused, an error status) renders
the same answer itself from the same file (bot/responses.py), logs the failure once with its reason and does not
ask the endpoint again for `RETRY_AFTER_S`. A visitor never waits for a hung action server's NLG.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial
from typing import Any

from rasa.core.nlg.generator import NaturalLanguageGenerator

from bot.reloading import ReloadingFile
from bot.responses import Responses, load_responses

logger = logging.getLogger(__name__)

#: after a failed request, answers are rendered here for this long before the endpoint is asked again
RETRY_AFTER_S = 10.0


class EditorResponsesGenerator(NaturalLanguageGenerator):
    """`nlg: {type: bot.rasa_plugins.nlg.EditorResponsesGenerator, url: …}` in endpoints.yml."""

    def __init__(self, endpoint_config: Any, domain: Any = None) -> None:
        from bot.config import load_settings

        settings = load_settings()
        self.endpoint = endpoint_config
        self.timeout_s = settings.nlg_timeout_s
        self._local = ReloadingFile(settings.responses_file, partial(load_responses, questions=settings.questions_file),
                                    also=[settings.questions_file])
        self._ask_again_at = 0.0

    async def generate(self, utter_action: str, tracker: Any, output_channel: str, **kwargs: Any
                       ) -> dict[str, Any] | None:  # fmt: skip
        kwargs.pop("domain_responses", None)
        slots = tracker.current_slot_values()
        if self.endpoint is not None and getattr(self.endpoint, "url", None) and time.monotonic() >= self._ask_again_at:
            body = {
                "response": utter_action,
                "id": None,
                "arguments": kwargs,
                "tracker": {"sender_id": tracker.sender_id, "slots": slots},
                "channel": {"name": output_channel},
            }
            try:
                answer = await asyncio.wait_for(self.endpoint.request(method="post", json=body), self.timeout_s)
            except Exception as error:  # any failure: the visitor still gets the answer
                if _not_found(error):
                    logger.error("Answer %s: the responses file has no such response", utter_action)
                    return None
                self._ask_again_at = time.monotonic() + RETRY_AFTER_S
                logger.warning("NLG endpoint %s failed (%s): answering from %s for the next %g s",
                               self.endpoint.url, _reason(error), self._local.path, RETRY_AFTER_S)  # fmt: skip
            else:
                if isinstance(answer, dict) and isinstance(answer.get("text"), str):
                    return answer
                self._ask_again_at = time.monotonic() + RETRY_AFTER_S
                logger.warning("NLG endpoint %s sent no answer for %s: answering from %s for the next %g s",
                               self.endpoint.url, utter_action, self._local.path, RETRY_AFTER_S)  # fmt: skip
        return self._render(utter_action, slots)

    def _render(self, utter_action: str, slots: dict[str, Any]) -> dict[str, Any] | None:
        try:
            responses: Responses = self._local.get()
        except (OSError, ValueError) as exc:
            logger.error("Answer %s: responses file not readable: %s", utter_action, exc)
            return None
        answer = responses.answer(utter_action, slots)
        if answer is None:
            logger.error("Answer %s: the responses file has no such response", utter_action)
        return answer


def _not_found(error: BaseException) -> bool:
    return getattr(error, "status", None) == 404


def _reason(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return "no answer within the timeout"
    status = getattr(error, "status", None)
    if status is not None:
        return f"status {status}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
