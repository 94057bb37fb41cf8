"""The action-server response check inside Rasa: same verdicts as Rasa's own, without re-checking the schema."""

from __future__ import annotations

import time

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
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


def _events() -> list[dict]:
    return [e.as_dict() for e in (
        UserUttered("hallo", {"name": "greet", "confidence": 0.9}, [{"entity": "product", "value": "sense"}]),
        BotUttered("Hallo!", {"buttons": [{"title": "Preise", "payload": "/ask_price"}]}),
        SlotSet("journey_explanation", {"persona": {"value": "technical", "reasons": []}}),
        ActionExecuted("action_listen"), ActiveLoop("roi_form"), ActiveLoop(None), LoopInterrupted(True),
        FollowupAction("action_listen"), AllSlotsReset(), Restarted(), SessionStarted(), ConversationPaused(),
        ConversationResumed(),
    )]  # fmt: skip


def _responses() -> list[object]:
    events = _events()
    broken = [
        {**events[0], "event": "no such event"},
        {**events[2], "name": 5},
        {**events[0], "parse_data": {"entities": [{"entity": "product"}]}},  # an entity without its value
        {**events[1], "timestamp": "yesterday"},
        {**events[3], "name": ["action_listen"]},
        "slot",
    ]
    return ([{"events": [event], "responses": []} for event in events + broken]
            + [{"events": events, "responses": [{"text": "x"}]}, {"events": events + broken[:1]},
               {"responses": "none"}, [], {}])  # fmt: skip


@pytest.mark.parametrize("response", _responses())
def test_the_check_by_event_type_gives_the_whole_schemas_verdict(response: object) -> None:
    schema = RemoteAction.action_response_format_spec()
    assert validation.is_valid(response) == jsonschema.Draft7Validator(schema).is_valid(response)
