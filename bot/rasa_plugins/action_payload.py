"""The conversation sent with each action call, without serialising its old events again.

Rasa sends the whole conversation to the action server for every custom action (two to four per
visitor message) and turns every event into JSON each time: at turn 40 about 180 KB and several
milliseconds per call, the largest cost in the Rasa process that grows with the conversation
(issue 13). An event never changes once it is in the conversation, so its JSON is kept with it,
and the request body is joined from the kept pieces: the same JSON document as Rasa's.
"""

from __future__ import annotations

import json
from typing import Any

_JSON = "_journey_json"  # the attribute that keeps an event's JSON on the event object


class SerialisedEvents(list):
    """A tracker's events as JSON texts, in place of Rasa's list of event dictionaries; `events` keeps the event
    objects, for a caller in this process that reads them without JSON (bot/rasa_plugins/slot_extraction.py)."""

    def __init__(self, events: list[Any]) -> None:
        super().__init__(event_json(event) for event in events)
        self.events = events


def event_json(event: Any) -> str:
    """`json.dumps(event.as_dict())`, computed once per event."""
    text = event.__dict__.get(_JSON)
    if text is None:
        text = json.dumps(event.as_dict())
        event.__dict__[_JSON] = text
    return text


def action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
    """`RemoteAction._action_call_format` (Rasa 3.6), with the events as their kept JSON texts."""
    import rasa
    from rasa.shared.core.trackers import EventVerbosity

    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = SerialisedEvents(list(tracker.events))
    body = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        body["domain"] = domain.as_dict()
    return body


def _with(document: str, key: str, raw: str) -> str:
    """A JSON object's text with one more member whose value is already JSON."""
    member = f"{json.dumps(key)}: {raw}"
    return f"{document[:-1]}{', ' if document != '{}' else ''}{member}}}"


def dumps(value: Any) -> str:
    """`json.dumps` for request bodies; a tracker's `SerialisedEvents` go in as they are."""
    tracker = value.get("tracker") if isinstance(value, dict) else None
    events = tracker.get("events") if isinstance(tracker, dict) else None
    if not isinstance(events, SerialisedEvents):
        return json.dumps(value)
    tracker_json = _with(json.dumps({k: v for k, v in tracker.items() if k != "events"}), "events",
                         f"[{', '.join(events)}]")  # fmt: skip
    return _with(json.dumps({k: v for k, v in value.items() if k != "tracker"}), "tracker", tracker_json)


def install() -> None:
    """Puts the kept event JSON in place of Rasa's; called once when our Rasa process starts.
    The Rasa process's HTTP sessions serialise with `dumps` (bot/rasa_plugins/sessions.py)."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
