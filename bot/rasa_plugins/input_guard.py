"""What the NLU reads of a visitor's message: payloads only from our own buttons, and not more than 2,000 characters.

A message starting with "/" is read by Rasa as an intent with entities ("/ask_roi{"segment": "b2b"}"),
without the NLU: that is how our buttons work. Typed by a visitor, the same syntax would set any intent
and entity, and "/restart" would wipe the conversation without a word. On the public channels (REST and
socket.io) a payload counts only if one of the bot's own buttons in this conversation offered it, or it
is the widget's own hidden `/page_view`; any other message starting with "/" is read by the NLU as the
words it is (without the slash), and answered like every message.

A very long message (a pasted document, up to the channels' 64 KB) is read by its first
`MAX_NLU_CHARS` characters, so that it gets an answer about what it starts with in a fraction of a
second instead of tying up the NLU. The conversation keeps every message as typed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

#: the channels visitors reach from outside; Rasa's own tools (rasa test, the token-protected HTTP API) keep payloads
PUBLIC_CHANNELS = frozenset({"rest", "socketio"})
#: payloads our website widget sends by itself (website/static/site.js: the hidden page view on every page load)
CLIENT_PAYLOADS = frozenset({"/page_view"})
#: text the NLU reads for a message that is nothing but slashes and spaces
_EMPTY = "?"
#: the NLU reads this much of a message at most
MAX_NLU_CHARS = 2000

_rasas: dict[str, Any] = {}


def offered_payloads(events: Iterable[Any]) -> set[str]:
    """Every button payload the bot sent in these events (dicts from the tracker store, or Rasa's events)."""
    found: set[str] = set()
    for event in events:
        kind = event.get("event") if isinstance(event, dict) else getattr(event, "type_name", None)
        if kind != "bot":
            continue
        data = (event.get("data") if isinstance(event, dict) else getattr(event, "data", None)) or {}
        for button in data.get("buttons") or ():
            payload = button.get("payload") if isinstance(button, dict) else None
            if isinstance(payload, str):
                found.add(payload.strip())
    return found


def read_as_words(text: str, offered: set[str]) -> str | None:
    """The text the NLU should read instead of a payload nobody offered; None if the message may stay as it is."""
    if not text.startswith("/") or text.strip() in offered or text.strip() in CLIENT_PAYLOADS:
        return None
    return text.lstrip("/ ").strip() or _EMPTY


def nlu_text(text: str, channel: str | None, offered: Callable[[], set[str]]) -> str:
    """What the NLU reads of a message from `channel`; `offered()` gives the payloads of the bot's buttons."""
    if text.startswith("/") and channel in PUBLIC_CHANNELS:
        text = read_as_words(text, offered()) or text
    return text[:MAX_NLU_CHARS]


async def _parse_message(self: Any, message: Any, tracker: Any = None, only_output_properties: bool = True) -> Any:
    text = message.text or ""
    read = nlu_text(text, message.input_channel, lambda: offered_payloads(tracker.events) if tracker else set())
    if read != text:
        message = copy.copy(message)  # the conversation stores the message as typed
        message.text = read
    return await _rasas["parse_message"](self, message, tracker, only_output_properties)


def install() -> None:
    """Puts the guard in front of the NLU; called once when our Rasa process starts, after `context.install()`."""
    from rasa.core.processor import MessageProcessor

    if _rasas:
        return
    _rasas["parse_message"] = MessageProcessor.parse_message
    MessageProcessor.parse_message = _parse_message  # type: ignore[method-assign]
