"""The one client of Rasa's HTTP API that sales uses: write events into a conversation and deliver its messages.

`POST /conversations/{id}/tracker/events?execute_side_effects=true&output_channel=latest` appends the events under
the conversation's lock (so they never interleave with a visitor's message being handled), the tracker store keeps
them, and the messages among them go out through the channel the visitor last wrote on (the widget's socket.io
room; in cluster mode every replica's, through Redis). A session with a timeout; a failure is a result with its
reason, logged once by the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    ok: bool
    reason: str = ""


class RasaConversations:
    def __init__(self, base_url: str, token: str, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self.session = requests.Session()

    def append(self, conversation_id: str, events: Sequence[dict[str, Any]]) -> Sent:
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/tracker/events"
        params = {"execute_side_effects": "true", "output_channel": "latest", "include_events": "NONE"}
        if self.token:
            params["token"] = self.token
        try:
            response = self.session.post(url, params=params, json=list(events), timeout=self.timeout_s)
        except requests.RequestException as error:
            return Sent(False, f"Rasa at {self.base_url} unreachable ({type(error).__name__})")
        if response.status_code != 200:
            return Sent(False, f"Rasa answered {response.status_code}: {response.text[:200]}")
        return Sent(True)

    def close(self) -> None:
        self.session.close()
