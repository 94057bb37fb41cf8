"""Checking the action server's responses with one compiled validator (runs inside the Rasa process).

Rasa validates every action-server response with `jsonschema.validate(response, schema)`, which
checks the schema itself against its meta-schema first, on every call: about a fifth of the Rasa
process's time per turn under load (py-spy, docs/benchmarks.md). The schema never changes, so
this checks it once and keeps the validator. The result is the same: a valid response passes,
an invalid one raises the same `ValidationError` (jsonschema's best match) with Rasa's hint.
"""

from __future__ import annotations

from functools import cache
from typing import Any


def _schema() -> dict[str, Any]:
    from rasa.core.actions.action import RemoteAction

    return RemoteAction.action_response_format_spec()


@cache
def _validator() -> Any:
    from jsonschema import validators

    schema = _schema()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@cache
def _checks_by_event() -> tuple[Any, Any, dict[str, Any]]:
    """The schema split at its `oneOf` over event types: the response without its events' details,
    what every event has, and one branch per event type (`event` is a different constant in each)."""
    from jsonschema import validators

    schema = _schema()
    cls = validators.validator_for(schema)
    events = schema["properties"]["events"]
    event = events["items"]
    any_events = {k: v for k, v in events.items() if k != "items"}
    response = {**schema, "properties": {**schema["properties"], "events": any_events}}
    common = {k: v for k, v in event.items() if k != "oneOf"}
    branches = {branch["properties"]["event"]["const"]: cls(branch) for branch in event["oneOf"]}
    return cls(response), cls(common), branches


def is_valid(result: Any) -> bool:
    """Whether the response fits the schema; the same verdict as the whole schema, checking only the
    `oneOf` branch that each event's type names (the others cannot match) instead of all 23."""
    response, common, branches = _checks_by_event()
    if not response.is_valid(result):
        return False
    for event in result.get("events") or []:
        if not common.is_valid(event):
            return False
        branch = branches.get(event["event"])
        if branch is None or not branch.is_valid(event):
            return False
    return True


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result`, with cached validators."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    if is_valid(result):
        return True
    error = best_match(_validator().iter_errors(result))  # the whole schema's message, as Rasa gives it
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action endpoint "
        f"is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Puts the cached validation in place of Rasa's; called once when our Rasa process starts."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
