"""The conversation phase model: what it learns, how the bot uses it and explains it, its file and its data."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import numpy
import pytest

from bot.catalogue.schema import ContentError
from bot.content.schemas.journey import read_labelled_conversations
from bot.journey.evidence import PHASES, EvidenceModel
from bot.journey.explain import explanation_lines
from bot.journey.inference import Turn, infer_journey
from bot.journey.phase_model import (
    CONVERSATIONS_DIR,
    MessagePhase,
    PhaseModel,
    PhaseModelFile,
    features,
    fit,
    load_conversations,
    load_phase_model,
    save,
)
from bot.journey.signals import JourneySignal, train
from tests.journey.test_signals import TINY


def said(*readings: tuple[str | None, dict[str, float]]) -> list[MessagePhase]:
    return [MessagePhase(number, phase, probabilities) for number, (phase, probabilities) in enumerate(readings, 1)]


CUSTOMER_ASKS_PRICE = said(("retention", {"retention": 0.8, "none": 0.2}), ("decision", {"decision": 0.9}))
PROSPECT_ASKS_PRICE = said(("consideration", {"consideration": 0.8}), ("decision", {"decision": 0.9}))


def test_the_model_learns_that_a_customer_asking_the_price_stays_a_customer() -> None:
    """The rules follow the last message (the price: decision); labelled conversations teach the model that an
    earlier sign of a customer outweighs it, while a prospect's price question stays a decision."""
    rows = [features("decision", CUSTOMER_ASKS_PRICE)] * 20 + [features("decision", PROSPECT_ASKS_PRICE)] * 20
    model = fit(rows, ["retention"] * 20 + ["decision"] * 20)
    customer, customer_probability = model.predict(features("decision", CUSTOMER_ASKS_PRICE))
    prospect, _ = model.predict(features("decision", PROSPECT_ASKS_PRICE))
    assert (customer, prospect) == ("retention", "decision")
    assert 0.5 < customer_probability <= 1.0


def always(phase: str) -> PhaseModel:
    """A model sure of one phase whatever the conversation (the weights are zero, the intercept decides)."""
    coef = numpy.zeros((len(PHASES), len(features(None, []))))
    intercept = numpy.array([8.0 if label == phase else 0.0 for label in PHASES])
    return PhaseModel(tuple(PHASES), coef, intercept, 1)


@pytest.fixture(scope="module")
def signal() -> JourneySignal:
    return train(TINY)


def test_the_bot_takes_the_models_phase_and_the_brief_says_why(evidence: EvidenceModel, signal: JourneySignal
                                                               ) -> None:  # fmt: skip
    turns = [Turn("Hallo", "greet", 0.99), Turn("Was kostet das für unsere Wohnung?", "ask_price", 0.97)]
    by_rules = infer_journey(turns, evidence, signal=signal)
    weighed = infer_journey(turns, evidence, signal=signal, phase_model=always("retention"))
    assert by_rules.phase == by_rules.rules_phase == "decision"
    assert (weighed.phase, weighed.rules_phase) == ("retention", "decision")
    (reason,) = weighed.explanation()["phase"]["reasons"]
    assert reason["source"] == "conversation" and reason["message"] == 2 and reason["probability"] > 0.99
    messages = ["Hallo", "Was kostet das für unsere Wohnung?"]
    assert explanation_lines(weighed.explanation(), "de", messages)[0] == (
        "Phase Bindung: Nachricht 2 „Was kostet das für unsere Wohnung?“: das ganze Gespräch abgewogen (100 %)")
    assert explanation_lines(weighed.explanation(), "en", messages)[0] == (
        "Phase retention: message 2 “Was kostet das für unsere Wohnung?”: the whole conversation weighed (100 %)")
    # where the model agrees with the rules, their reasons stay
    agreeing = infer_journey(turns, evidence, signal=signal, phase_model=always("decision"))
    assert agreeing.explanation()["phase"] == by_rules.explanation()["phase"]


@pytest.mark.parametrize("path, phase", [("/kundenbereich", "retention"), ("/preise", "decision")])
def test_a_page_the_editor_gave_a_phase_keeps_it_against_the_model(evidence: EvidenceModel, signal: JourneySignal,
                                                                   path: str, phase: str) -> None:  # fmt: skip
    """The model never saw pages: a visitor in the customer area (or on the pricing page) who only says thanks
    stays where the editor's page rule puts them; off such a page the model weighs as before."""
    turns = [Turn("/page_view", "page_view", 1.0, page={"path": path}), Turn("Danke!", "thank", 0.99)]
    state = infer_journey(turns, evidence, signal=signal, phase_model=always("advocacy"))
    assert (state.phase, state.rules_phase) == (phase, phase)
    assert state.explanation()["phase"]["reasons"][0]["source"] == "page"
    # the home page only starts a phase (awareness) without giving one: there the model weighs
    home = [Turn("/page_view", "page_view", 1.0, page={"path": "/"}), turns[1]]
    assert infer_journey(home, evidence, signal=signal, phase_model=always("advocacy")).phase == "advocacy"


def test_without_evidence_for_any_phase_the_model_does_not_invent_one(evidence: EvidenceModel,
                                                                      signal: JourneySignal) -> None:  # fmt: skip
    state = infer_journey([Turn("ok", None, 0.0)], evidence, signal=signal, phase_model=always("advocacy"))
    assert state.phase is None


def test_a_missing_or_foreign_model_file_leaves_the_rules_alone(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    with caplog.at_level(logging.WARNING):
        assert load_phase_model(tmp_path / "missing.pkl") is None
    assert "make train" in caplog.text
    foreign = tmp_path / "old.pkl"
    foreign.write_bytes(pickle.dumps({"format": 0, "model": always("decision")}))
    caplog.clear()
    assert load_phase_model(foreign) is None and "another version" in caplog.text


def test_a_retrained_file_is_picked_up_without_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "journey_phase.pkl"
    file = PhaseModelFile(path)
    assert file.get() is None
    save(always("decision"), path)
    assert file.get() is not None and file.get().predict(features(None, []))[0] == "decision"
    save(always("advocacy"), path)
    import os

    os.utime(path, (1, 1))  # a new modification time, as a new training gives
    assert file.get().predict(features(None, []))[0] == "advocacy"


def test_the_training_conversations_cover_every_phase_in_both_languages() -> None:
    conversations = load_conversations(CONVERSATIONS_DIR)
    assert len(conversations) >= 700
    for phase in PHASES:
        ids = [c.id for c in conversations if c.phase == phase]
        assert len(ids) >= 50, phase
        assert any("-de-" in i for i in ids) and any("-en-" in i for i in ids), phase


@pytest.mark.parametrize("path", sorted(Path(__file__).parent.glob("*_conversations.yml")), ids=lambda p: p.name)
def test_the_evaluation_sets_have_the_training_files_format(path: Path) -> None:
    """A development set can become training data (as the nine older ones did) without rewriting it."""
    checked = read_labelled_conversations(path)
    assert len(checked.conversations) >= 60
    assert {c.lang for c in checked.conversations} == {"de", "en"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("conversations:\n- id: x-1\n  lang: de\n  turns: []\n  expect: {phase: decision}\n",
         "mine.yml, line 4, conversations[1].turns: needs at least one item"),
        ("conversations:\n- id: x-2\n  lang: de\n  turns: [hallo]\n  expect: {phase: buying}\n",
         "mine.yml, line 5, conversations[1].expect.phase: unknown value 'buying'"),
        ("conversations:\n- id: x-3\n  lang: de\n  turns: [hallo]\n  expect: {phase: decision, persona: boss}\n",
         "mine.yml, line 5, conversations[1].expect.persona: unknown value 'boss'"),
        ("conversations:\n- id: x-4\n  lang: fr\n  turns: [salut]\n  expect: {phase: awareness}\n",
         "mine.yml, line 3, conversations[1].lang: unknown value 'fr'"),
        ("conversations:\n- id: x-5\n  lang: de\n  turns: [hallo]\n  expect: {phase: awareness}\n"
         "- id: x-5\n  lang: en\n  turns: [hi]\n  expect: {phase: awareness}\n",
         "mine.yml, line 6, conversations[2].id: the id is already used on line 2"),
        ("conversations:\n- id: a-1\n  lang: de\n  turns: [hallo]\n  expect: {phase: awareness}\n",
         "mine.yml, line 2, conversations[1].id: the id is already used in first.yml"),
    ],
)
def test_a_broken_training_file_names_file_line_and_field(tmp_path: Path, text: str, problem: str) -> None:
    """An editor adding conversations for the phase model learns where the mistake is, before any training."""
    (tmp_path / "first.yml").write_text(
        "version: 1\nconversations:\n- id: a-1\n  lang: en\n  turns: [hi]\n  expect: {phase: awareness}\n",
        encoding="utf-8")  # fmt: skip
    (tmp_path / "mine.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_conversations(tmp_path)
    assert str(raised.value.problems[0]).startswith(problem)
