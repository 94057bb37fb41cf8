"""The journey detection logic: evidence accumulation, phase movement, language, empty evidence."""

from __future__ import annotations

from typing import Any

import pytest

from bot.journey.evidence import EvidenceError, EvidenceModel, parse_evidence
from bot.journey.inference import Turn, infer_journey, turns_from_events


def turn(text: str, intent: str | None = None, confidence: float = 0.95) -> Turn:
    return Turn(text=text, intent=intent, confidence=confidence)


def test_no_evidence_leaves_persona_and_segment_empty(evidence: EvidenceModel) -> None:
    state = infer_journey([turn("Hallo zusammen", "greet")], evidence)
    assert (state.phase, state.persona, state.segment, state.language) == ("awareness", None, None, "de")


def test_empty_conversation_has_only_the_default_language(evidence: EvidenceModel) -> None:
    state = infer_journey([], evidence, default_language="en")
    assert (state.phase, state.persona, state.segment, state.language) == (None, None, None, "en")


def test_persona_accumulates_and_is_not_overwritten_by_one_later_hint(evidence: EvidenceModel) -> None:
    turns = [
        turn("Gibt es echte Bewertungen von Kunden?", "ask_reviews"),
        turn("Und habt ihr eine Garantie?", "ask_guarantee"),
        turn("Habt ihr auch ein Video?", "ask_video"),
    ]
    state = infer_journey(turns, evidence)
    assert state.persona == "skeptic"
    assert state.persona_scores["skeptic"] > state.persona_scores["experience_seeker"]


def test_persona_changes_once_the_other_evidence_outweighs_it(evidence: EvidenceModel) -> None:
    turns = [
        turn("Do you have reviews?", "ask_reviews"),
        turn("Is there a REST API and webhooks?", "ask_integrations"),
        turn("Which data formats can you import, CSV or JSON?", "ask_specs"),
    ]
    assert infer_journey(turns, evidence).persona == "technical"


def test_equal_scores_go_to_the_most_recent_evidence(evidence: EvidenceModel) -> None:
    turns = [turn("Any reviews?", "ask_reviews"), turn("Got a demo video?", "ask_video")]
    assert infer_journey(turns, evidence).persona == "experience_seeker"


def test_phase_follows_the_conversation_forward_and_back(evidence: EvidenceModel) -> None:
    turns = [turn("Was macht ihr?", "ask_what_is")]
    assert infer_journey(turns, evidence).phase == "awareness"
    turns.append(turn("Was kostet das?", "ask_price"))
    assert infer_journey(turns, evidence).phase == "decision"
    turns.append(turn("Und was können die Funktionen genau?", "ask_features"))
    assert infer_journey(turns, evidence).phase == "consideration"


def test_messages_without_phase_evidence_keep_the_phase(evidence: EvidenceModel) -> None:
    turns = [
        turn("Wir möchten ein Angebot", "request_contact"),
        turn("Jonas Meier, Meier Handel GmbH, 0221 998877", "inform_contact"),
        turn("Ja", "affirm"),
        turn("Hallo?", "greet"),
    ]
    assert infer_journey(turns, evidence).phase == "decision"


def test_low_confidence_intents_give_no_evidence(evidence: EvidenceModel) -> None:
    state = infer_journey([turn("hm reviews?", "ask_reviews", confidence=0.2)], evidence)
    assert state.phase is None
    assert state.persona_scores.get("skeptic", 0) < 1.0


def test_segment_comes_from_the_words_across_messages(evidence: EvidenceModel) -> None:
    b2b = infer_journey([turn("Lohnt sich das für einen Betrieb mit 25 Leuten?", "ask_roi")], evidence)
    assert (b2b.segment, b2b.persona, b2b.phase) == ("b2b", "budget_owner", "decision")
    b2c = infer_journey(
        [turn("Was kostet das?", "ask_price"), turn("Es ist für unsere Wohnung zu Hause", "inform_situation")],
        evidence,
    )
    assert b2c.segment == "b2c"


def test_umlaut_spellings_count_alike(evidence: EvidenceModel) -> None:
    for text in ("Die Geschäftsführung entscheidet", "die geschaeftsfuehrung entscheidet"):
        state = infer_journey([turn(text, "ask_boss_material")], evidence)
        assert (state.persona, state.segment) == ("influencer", "b2b")


def test_language_follows_the_visitor_when_they_switch(evidence: EvidenceModel) -> None:
    turns = [turn("Hallo, was macht ihr?", "ask_what_is")]
    assert infer_journey(turns, evidence).language == "de"
    turns.append(turn("Sorry, can we continue in English please?", "chitchat"))
    assert infer_journey(turns, evidence).language == "en"
    turns.append(turn("Anna Berger, anna@berger.example", "inform_contact"))
    assert infer_journey(turns, evidence).language == "en"
    turns.append(turn("Ach, doch lieber auf Deutsch bitte", "chitchat"))
    assert infer_journey(turns, evidence).language == "de"


def test_turns_are_read_from_rasa_events() -> None:
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "Any reviews?", "parse_data": {"intent": {"name": "ask_reviews", "confidence": 0.9}}},
        {"event": "bot", "text": "Sure"},
        {"event": "user", "text": "/affirm", "parse_data": {"intent": {"name": "affirm", "confidence": 1.0}}},
    ]
    assert turns_from_events(events) == [Turn("Any reviews?", "ask_reviews", 0.9), Turn("/affirm", "affirm", 1.0)]


@pytest.mark.parametrize(
    ("ranking", "phase", "persona"),
    [
        # a customer's problem answered from a knowledge entry is still retention ...
        ([("ask_topic", 0.72), ("ask_support", 0.6)], "retention", None),
        # ... praise that asks where to review is still advocacy
        ([("ask_topic", 0.6), ("praise", 0.55), ("ask_support", 0.2)], "advocacy", None),
        # the classifier's reading gives the phase only: a situation misread as doubt makes no skeptic
        ([("inform_situation", 0.9), ("express_doubt", 0.5)], "consideration", None),
        # an unsure reading gives nothing; the knowledge question itself is consideration
        ([("ask_topic", 0.5), ("nlu_fallback", 0.3), ("praise", 0.2)], "consideration", None),
    ],
)
def test_a_replaced_intent_keeps_the_classifiers_phase(
    evidence: EvidenceModel, ranking: list[tuple[str, float]], phase: str, persona: str | None
) -> None:
    parse = {"intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
             "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}  # fmt: skip
    turns = turns_from_events([{"event": "user", "text": "Die App zeigt nichts mehr an", "parse_data": parse}])
    state = infer_journey(turns, evidence)
    assert (state.phase, state.persona) == (phase, persona)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"intents": {"ask_price": {"phase": "buying"}}}, "intents.ask_price.phase: unknown phase 'buying'"),
        ({"intents": {"ask_reviews": {"persona": {"sceptic": 1}}}}, "unknown value 'sceptic'"),
        ({"intents": {"ask_reviews": {"persona": {"skeptic": -1}}}}, "weight must be a positive number"),
        ({"intents": {"ask_reviews": {"persona": {"skeptic": 1}, "colour": 1}}}, "unknown key(s) colour"),
        ({"intents": {}, "keywords": [{"name": "empty", "segment": {"b2b": 1}}]}, "needs at least one entry"),
        ({"intents": {}, "keywords": [{"name": "bad", "patterns": ["(unclosed"]}]}, "is not valid"),
        ({"keywords": []}, "top-level 'intents:'"),
    ],
)
def test_editor_mistakes_are_reported_where_they_are(document: dict[str, Any], message: str) -> None:
    with pytest.raises(EvidenceError) as error:
        parse_evidence(document)
    assert message in str(error.value)
