"""Our faster copies of Rasa's logistic-regression classifier and RulePolicy give Rasa's own answers
(bot/rasa_plugins/nlu.py, bot/rasa_plugins/policies.py), with real featurizers and a real trained model."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import LexicalSyntacticFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.core.constants import SHOULD_NOT_BE_SET
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    LoopInterrupted,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_plugins.nlu import FastLogisticRegressionClassifier
from bot.rasa_plugins.policies import FastRulePolicy

EXAMPLES = {
    "ask_price": ["Was kostet Wattwerk Business?", "what does it cost per month", "Preis für 3 Standorte?",
                  "how much is the home plan", "Kosten pro Monat bitte"],
    "ask_integrations": ["Gibt es eine API?", "does it work with SAP", "Modbus oder LoRaWAN?",
                         "can we connect our ERP", "Schnittstelle zu unserem BMS"],
    "greet": ["Hallo", "hi there", "Guten Tag", "hello", "Servus"],
}  # fmt: skip
UNSEEN = ["Was kostet das für 9 Bäckereien?", "API für SAP?", "moin", "asdf", "Wie teuer ist die Schnittstelle?"]


def _featurised(messages: list[Message], components: list) -> list[Message]:
    for component in components:
        component.process(messages)
    return messages


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list]:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("model")))
    context = ExecutionContext(GraphSchema({}), node_name="test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    words = CountVectorsFeaturizer.create(CountVectorsFeaturizer.get_default_config(), storage, Resource("w"), context)
    characters = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
        storage, Resource("c"), context)  # fmt: skip
    lexical = LexicalSyntacticFeaturizer.create(LexicalSyntacticFeaturizer.get_default_config(), storage,
                                                Resource("l"), context)  # fmt: skip
    data = TrainingData([Message(data={"text": text, "intent": intent})
                         for intent, texts in EXAMPLES.items() for text in texts])  # fmt: skip
    tokenizer.process_training_data(data)
    for featurizer in (words, characters, lexical):
        featurizer.train(data)
        featurizer.process_training_data(data)
    classifiers = []
    for cls, name in ((LogisticRegressionClassifier, "stock"), (FastLogisticRegressionClassifier, "fast")):
        config = {**cls.get_default_config(), "max_iter": 200, "random_state": 42}
        classifier = cls.create(config, storage, Resource(name), context)
        classifier.train(data)
        classifiers.append(classifier)
    return [tokenizer, words, characters, lexical], classifiers


@pytest.mark.parametrize("text", UNSEEN)
def test_the_fast_classifier_ranks_intents_exactly_as_rasas(trained: tuple[list, list], text: str) -> None:
    featurizers, (stock, fast) = trained
    theirs = stock.process(_featurised([Message(data={"text": text})], featurizers))[0]
    ours = fast.process(_featurised([Message(data={"text": text})], featurizers))[0]

    assert ours.get("intent") == theirs.get("intent")
    assert ours.get("intent_ranking") == theirs.get("intent_ranking")


def test_several_messages_at_once_are_ranked_as_one_by_one(trained: tuple[list, list]) -> None:
    featurizers, (stock, fast) = trained
    together = fast.process(_featurised([Message(data={"text": t}) for t in UNSEEN], featurizers))
    alone = [stock.process(_featurised([Message(data={"text": t})], featurizers))[0] for t in UNSEEN]
    assert [m.get("intent_ranking") for m in together] == [m.get("intent_ranking") for m in alone]


def _random_state(rng: random.Random, start: bool = False) -> dict:
    state: dict = {} if start else {"prev_action": {"action_name": rng.choice(["action_listen", "utter_a", "utter_b"])}}
    if rng.random() < 0.7:
        state["user"] = {"intent": rng.choice(["greet", "ask_price", "affirm"])}
    elif rng.random() < 0.3:  # an end-to-end turn: the text instead of the intent
        state["user"] = {"text": rng.choice(["hallo", "was kostet das?"])}
    if rng.random() < 0.4:
        state["slots"] = {"segment": rng.choice([(1.0,), (0.0,), SHOULD_NOT_BE_SET])}
    if rng.random() < 0.2:
        state["active_loop"] = {"name": rng.choice(["roi_form", SHOULD_NOT_BE_SET])}
    return state


def _random_rule(rng: random.Random) -> str:
    length = rng.randint(1, 4)
    states = [_random_state(rng, start=(i == 0 and rng.random() < 0.2)) for i in range(length)]
    return json.dumps(states)


@pytest.mark.parametrize("seed", range(60))
def test_the_fast_rule_policy_finds_the_same_rules_as_rasas(
    policies: tuple[RulePolicy, FastRulePolicy], seed: int
) -> None:
    stock, fast = policies
    rng = random.Random(seed)
    lookup = {_random_rule(rng): "utter_x" for _ in range(150)}
    history = [_random_state(rng, start=(i == 0)) for i in range(rng.randint(1, 30))]

    theirs = stock._get_possible_keys(lookup, history)
    ours = fast._get_possible_keys(lookup, history)

    assert ours == theirs


def _conversation() -> list:
    """A conversation with what makes Rasa's history non-trivial: slots that shape the state, a form
    whose repeated executions collapse, an interrupted form, a rewound message and a restart."""
    listen = ActionExecuted("action_listen")

    def user(intent: str, text: str) -> UserUttered:
        return UserUttered(text, {"name": intent, "confidence": 0.9})

    return [
        listen, user("greet", "hallo"), ActionExecuted("utter_greet"), ActionExecuted("action_listen"),
        user("ask_roi", "lohnt sich das?"), ActionExecuted("roi_form"), ActiveLoop("roi_form"),
        SlotSet("requested_slot", "roi_units"), ActionExecuted("action_listen"),
        user("inform_situation", "3 Standorte"), SlotSet("roi_units", 3), ActionExecuted("roi_form"),
        SlotSet("requested_slot", "roi_energy_cost"), ActionExecuted("action_listen"),
        user("ask_price", "was kostet das?"), ActionExecuted("action_show_prices"), LoopInterrupted(True),
        ActionExecuted("roi_form"), SlotSet("requested_slot", "roi_energy_cost"), ActionExecuted("action_listen"),
        user("inform_situation", "24000"), SlotSet("roi_energy_cost", 24000), ActionExecuted("roi_form"),
        ActiveLoop(None), SlotSet("requested_slot", None), ActionExecuted("action_calculate_roi"), listen,
        user("request_contact", "bitte rückruf"), SlotSet("contact_path", "lead"), SlotSet("pending_offer", "demo"),
        ActionExecuted("utter_offer"), ActionExecuted("action_listen"), user("deny", "nein doch nicht"),
        UserUtteranceReverted(), ActionExecuted("action_listen"), user("affirm", "ja"),
        SlotSet("handoff_stored", True), ActionExecuted("utter_thanks"), ActionExecuted("action_listen"),
        Restarted(), ActionExecuted("action_listen"), user("greet", "neu hier"), ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> tuple[RulePolicy, FastRulePolicy]:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("policies")))
    context = ExecutionContext(GraphSchema({}), node_name="policy")
    stock = RulePolicy.create(RulePolicy.get_default_config(), storage, Resource("stock"), context)
    fast = FastRulePolicy.create(FastRulePolicy.get_default_config(), storage, Resource("fast"), context)
    fast.lookup = {"rules": {json.dumps([{}] * 4): "utter_greet"}, "rules_for_loop_unhappy_path": {}}
    return stock, fast


@pytest.mark.parametrize("use_text", [False, True])
def test_the_fast_rule_policy_sees_the_states_rasas_sees_turn_by_turn(
    policies: tuple[RulePolicy, FastRulePolicy], use_text: bool
) -> None:
    stock, fast = policies
    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain"))
    tracker = DialogueStateTracker("anna", domain.slots)
    for number, event in enumerate(_conversation()):
        tracker.update(event)
        theirs = stock._prediction_states(tracker, domain, use_text)
        ours = fast._prediction_states(tracker, domain, use_text)
        assert ours == theirs[-4:], f"after event {number}: {event}"

    reloaded = DialogueStateTracker.from_events("anna", list(tracker.events), domain.slots)  # new event objects
    theirs = stock._prediction_states(reloaded, domain, use_text)
    assert fast._prediction_states(reloaded, domain, use_text) == theirs[-4:]
