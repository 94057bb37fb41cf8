"""The ordered graph runs give what Rasa's dask runs give (bot/rasa_plugins/graph_runner.py), on the trained model."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from rasa.core.agent import Agent
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.launcher import MODEL
from bot.rasa_plugins import graph_runner

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")

MESSAGES = ["Hallo!", "Was kostet Wattwerk Business für 4 Standorte?", "we run 9 bakeries and power is killing us",
            "Does it work over LoRaWAN?", "Können Sie mich bitte zurückrufen?", "asdf qwer", "/greet"]  # fmt: skip


@pytest.fixture(scope="module")
def agent() -> Agent:
    return Agent.load(str(MODEL))


@pytest.fixture
def ordered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(DaskGraphRunner, "run", graph_runner.run)
    yield


def _parse(agent: Agent, text: str) -> dict:
    return asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize("text", MESSAGES)
def test_a_message_is_understood_as_with_rasas_runner(agent: Agent, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    theirs = _parse(agent, text)
    monkeypatch.setattr(DaskGraphRunner, "run", graph_runner.run)
    assert _parse(agent, text) == theirs


def _tracker(agent: Agent, intent: str, text: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), UserUttered(text, {"name": intent, "confidence": 0.95}),
              SlotSet("segment", "b2b")]  # fmt: skip
    return DialogueStateTracker.from_events("graph-runner", events, agent.domain.slots)


@pytest.mark.parametrize(("intent", "text"), [("greet", "hallo"), ("ask_price", "was kostet das?"),
                                              ("request_contact", "rufen Sie mich an"), ("ask_roi", "lohnt sich das")])
def test_the_next_action_is_predicted_as_with_rasas_runner(
    agent: Agent, intent: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = agent.processor._predict_next_with_tracker(_tracker(agent, intent, text))
    monkeypatch.setattr(DaskGraphRunner, "run", graph_runner.run)
    ours = agent.processor._predict_next_with_tracker(_tracker(agent, intent, text))
    assert (ours.policy_name, ours.probabilities, ours.events) == (theirs.policy_name, theirs.probabilities,
                                                                    theirs.events)  # fmt: skip
    assert max(range(len(ours.probabilities)), key=ours.probabilities.__getitem__) == ours.max_confidence_index


def test_an_input_value_named_like_a_node_is_refused_as_by_rasa(agent: Agent, ordered: None) -> None:
    runner = agent.processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        runner.run(inputs={"__message__": node}, targets=[node])
