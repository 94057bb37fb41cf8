"""The REST channel, tolerant of clients that send the message as something other than a string."""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.request import Request

logger = logging.getLogger(__name__)


def message_text(raw: Any) -> str | None:
    """The visitor's words from a `message` field of any JSON type.

    A text stays as it is. Some clients (and YAML files with an unquoted "Ruft mich an: ...")
    turn a message with a colon into an object; its keys and values are joined back into
    the sentence, so nothing the visitor wrote is lost. Numbers become their text.
    """
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "ja" if raw else "nein"
    if isinstance(raw, int | float):
        return str(raw)
    if isinstance(raw, dict):
        return " ".join(f"{key}: {message_text(value) or ''}".strip() for key, value in raw.items())
    if isinstance(raw, list):
        return " ".join(filter(None, (message_text(item) for item in raw)))
    return str(raw)


class JourneyRestInput(RestInput):
    """Rasa's REST channel (same URL, /webhooks/rest/webhook) with `message_text` applied."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_message(self, req: Request) -> str | None:
        raw = req.json.get("message") if isinstance(req.json, dict) else None
        text = message_text(raw)
        if raw is not None and not isinstance(raw, str):
            logger.warning("REST message was a %s, not a string; used it as text: %r", type(raw).__name__, text)
        return text

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Page context from the website (path, title, referrer, UTM, browser language), if sent."""
        metadata = request.json.get("metadata") if isinstance(request.json, dict) else None
        return metadata if isinstance(metadata, dict) else None
