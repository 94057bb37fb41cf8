"""The visitor's previous message, its intent and the active form, for the NLU: a short follow-up read on its own
is often not understood.

Rasa's NLU components see one message and nothing of the conversation. "ugh, so what do I do then" or "wie lang
brauch ich da ungefähr dafür" mean something only after the question before them. This wraps
`MessageProcessor.parse_message`: the message the NLU reads carries in its metadata the visitor's previous message
(`PREVIOUS_TEXT`) and what it was read as (`PREVIOUS_INTENT`), so that the knowledge router
(`bot/rasa_plugins/knowledge.py`) can read a follow-up that fits no entry together with it or as a follow-up of that
request; the form asking a question, if any (`ACTIVE_LOOP`), so that a correction ("12, not 21") answers the
form's question there and is a new price question outside; the intents the bot's last buttons offered (`OFFERED`),
so that "neun" right after the NPS question is its answer (bot/rasa_plugins/nps.py); and the product in focus
(`FOCUS`), so that a question the answer action would answer for that product is not labelled as not understood.
The message stored in the conversation is not changed: the previous text is in the tracker already and is not
written a second time.
"""

from __future__ import annotations

import copy
from typing import Any

#: the metadata key under which the NLU finds the visitor's previous message
PREVIOUS_TEXT = "journey_previous_text"
#: ... what it was read as ("bis wann gilt der?" after a voucher asks about that voucher)
PREVIOUS_INTENT = "journey_previous_intent"
#: ... and the form that is asking the visitor something, if any ("12, nicht 21" answers its question)
ACTIVE_LOOP = "journey_active_loop"
#: ... the intents the bot's buttons since the previous message offered ("nps_score" after the NPS question: a bare
#: "9" or "neun" answers it there, and is a number of sites or meters elsewhere)
OFFERED = "journey_offered"
#: ... and the product in focus (the `product` slot): a question that alone fits no knowledge entry well enough may
#: fit that product's ("montage machen wir selber, gibts ne anleitung?" after the compressor room)
FOCUS = "journey_focus"

_rasas: dict[str, Any] = {}


def _last_user_event(events: Any) -> Any:
    """The visitor's last message in `events` (newest last, a list or the tracker's deque); None without one."""
    return next((event for event in reversed(events) if getattr(event, "type_name", None) == "user"), None)


def _text_of(event: Any) -> str | None:
    """The text of a user event; None without one or for a button payload."""
    text = getattr(event, "text", None) or ""
    return None if not text or text.startswith("/") else text


def _intent_of(event: Any) -> str | None:
    return ((getattr(event, "parse_data", None) or {}).get("intent") or {}).get("name")


def offered_intents(events: Any) -> list[str]:
    """The intents of the buttons the bot showed since the visitor's last message (newest last)."""
    offered: list[str] = []
    for event in reversed(events):
        kind = getattr(event, "type_name", None)
        if kind == "user":
            break
        if kind == "bot":
            for button in (getattr(event, "data", None) or {}).get("buttons") or []:
                payload = str(button.get("payload") or "")
                if payload.startswith("/"):
                    offered.append(payload[1:].split("{", 1)[0])
    return sorted(set(offered))


def previous_user_text(events: Any) -> str | None:
    """The text of the visitor's last message in `events` (newest last); None without one or for a button payload."""
    return _text_of(_last_user_event(events))


async def _parse_message(self: Any, message: Any, tracker: Any = None, only_output_properties: bool = True) -> Any:
    if tracker is not None and message.text and not message.text.startswith("/"):
        last = _last_user_event(tracker.events)  # one look back, not one per key
        context = {PREVIOUS_TEXT: _text_of(last), PREVIOUS_INTENT: _intent_of(last),
                   ACTIVE_LOOP: tracker.active_loop_name, FOCUS: tracker.get_slot("product"),
                   OFFERED: offered_intents(tracker.events)}  # fmt: skip
        context = {key: value for key, value in context.items() if value}
        if context:
            message = copy.copy(message)  # the message logged in the tracker keeps its own metadata
            message.metadata = {**(message.metadata or {}), **context}
    return await _rasas["parse_message"](self, message, tracker, only_output_properties)


def install() -> None:
    """Puts the wrapper in place; called once when our Rasa process starts."""
    from rasa.core.processor import MessageProcessor

    if _rasas:
        return
    _rasas["parse_message"] = MessageProcessor.parse_message
    MessageProcessor.parse_message = _parse_message  # type: ignore[method-assign]
