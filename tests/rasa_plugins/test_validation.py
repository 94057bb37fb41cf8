"""The action-server response check inside Rasa: same verdicts as Rasa's own, without re-checking the schema."""

from __future__ import annotations

import time

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_plugins import validation

VALID = {
    "events": [{"event": "slot", "name": "persona", "value": "technical", "timestamp": None}],
    "responses": [{"text": "Hallo!", "buttons": [], "elements": [], "custom": {}, "template": None,
                   "response": None, "image": None, "attachment": None}],
}  # fmt: skip
INVALID = [
    {"events": "not a list", "responses": []},
    {"events": [{"name": "persona"}], "responses": []},  # an event without its type
]


@pytest.fixture()
def action() -> RemoteAction:
    validation.install()
    return RemoteAction("action_track_journey", EndpointConfig("http://localhost:1/webhook"))


def test_a_valid_response_passes(action: RemoteAction) -> None:
    assert action._validate_action_result(VALID) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_response_fails_as_with_rasas_own_check(action: RemoteAction, response: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(response)
    with pytest.raises(jsonschema.ValidationError) as theirs:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert ours.value.message.startswith(theirs.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_it_is_many_times_faster_than_checking_the_schema_each_time(action: RemoteAction) -> None:
    schema = RemoteAction.action_response_format_spec()

    def timed(check: object, runs: int = 200) -> float:
        started = time.perf_counter()
        for _ in range(runs):
            check()  # type: ignore[operator]
        return time.perf_counter() - started

    ours = timed(lambda: action._validate_action_result(VALID))
    stock = timed(lambda: jsonschema.validate(VALID, schema))
    assert ours * 2 < stock, f"cached {ours:.4f} s against {stock:.4f} s for 200 checks"
