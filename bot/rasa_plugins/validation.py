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


@cache
def _validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result`, with the cached validator."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_validator().iter_errors(result))
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
