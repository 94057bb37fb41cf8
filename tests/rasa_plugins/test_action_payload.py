"""Action calls carry the same conversation as Rasa's, with each event serialised once
(bot/rasa_plugins/action_payload.py): real Rasa trackers, our real domain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_plugins import action_payload

ROOT = Path(__file__).resolve().parents[2]
RASAS_FORMAT = RemoteAction._action_call_format  # before any install()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def _tracker(domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker("anna", domain.slots)
    for event in (
        ActionExecuted("action_listen"),
        UserUttered("Grüß Gott, was kostet Sense für 25 Sensoren?", {"name": "ask_price", "confidence": 0.91},
                    [{"entity": "product", "value": "sense", "start": 20, "end": 25}],
                    metadata={"page": {"url": "/preise"}}),
        SlotSet("journey_explanation", {"persona": {"value": "technical", "reasons": [{"message": 1}]}}),
        ActionExecuted("action_show_prices"),
        BotUttered("Sense: 25 × 4 € = 100 € im Monat", {"buttons": [{"title": "Ja", "payload": "/affirm"}]}),
        ActiveLoop("roi_form"),
        ActionExecuted("action_listen"),
    ):  # fmt: skip
        tracker.update(event)
    return tracker


@pytest.mark.parametrize(("action", "selective"), [("action_show_prices", True), ("validate_roi_form", True),
                                                   ("action_show_prices", False)])  # fmt: skip
def test_the_request_body_is_rasas(domain: Domain, action: str, selective: bool) -> None:
    assert RASAS_FORMAT is not action_payload.action_call_format, "compared with Rasa's own"
    endpoint = EndpointConfig("http://localhost:5055/webhook", enable_selective_domain=selective)
    remote = RemoteAction(action, endpoint)
    tracker = _tracker(domain)

    ours = json.loads(action_payload.dumps(action_payload.action_call_format(remote, tracker, domain)))
    theirs = json.loads(json.dumps(RASAS_FORMAT(remote, tracker, domain)))

    assert ours == theirs
    assert ("domain" in ours) == (not selective or action == "validate_roi_form")


def test_an_event_is_serialised_once_and_new_events_join_the_conversation(domain: Domain) -> None:
    remote = RemoteAction("action_show_prices", EndpointConfig("http://localhost:5055/webhook"))
    tracker = _tracker(domain)
    first = action_payload.action_call_format(remote, tracker, domain)["tracker"]["events"]
    tracker.update(UserUttered("und jährlich?", {"name": "ask_annual", "confidence": 0.8}))
    second = action_payload.action_call_format(remote, tracker, domain)["tracker"]["events"]

    assert all(a is b for a, b in zip(first, second[: len(first)], strict=True)), "old events not serialised again"
    assert json.loads(second[-1])["text"] == "und jährlich?"


@pytest.mark.parametrize("body", [{"a": 1}, {}, [1, 2], {"tracker": {"events": [{"event": "user"}]}}])
def test_other_bodies_are_plain_json(body: object) -> None:
    assert json.loads(action_payload.dumps(body)) == body
