"""The journey detection logic: evidence accumulation, phase movement, language, empty evidence."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.catalogue.schema import ContentError
from bot.journey.evidence import EvidenceModel, parse_evidence
from bot.journey.inference import Turn, infer_journey, turns_from_events
from bot.journey.signals import SlotReading


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


@pytest.mark.parametrize(
    ("text", "persona"),
    [
        ("Wir sind Rentner, bei uns zählt jeder Euro. Was bringt das im Jahr?", "budget_owner"),
        ("is it even worth it for a small bakery like mine", "budget_owner"),
        ("Gibt es Erfahrungsberichte von anderen Kunden?", "skeptic"),
    ],
)
def test_one_clear_cue_is_enough_for_a_persona(evidence: EvidenceModel, text: str, persona: str) -> None:
    assert infer_journey([turn(text)], evidence).persona == persona


def test_a_comparison_question_alone_names_no_persona(evidence: EvidenceModel) -> None:
    state = infer_journey([turn("Was unterscheidet euch von anderen Anbietern?", "ask_comparison")], evidence)
    assert (state.persona, state.persona_scores) == (None, {"skeptic": 0.5})


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
        ({"intents": {"ask_price": {"phase": "buying"}}},
         "intents.ask_price.phase: unknown value 'buying'; use one of: awareness, consideration"),
        ({"intents": {"ask_reviews": {"persona": {"sceptic": 1}}}}, "unknown value 'sceptic'"),
        ({"intents": {"ask_reviews": {"persona": {"skeptic": -1}}}}, "weight must be a positive number"),
        ({"intents": {"ask_reviews": {"persona": {"skeptic": 1}, "colour": 1}}},
         "intents.ask_reviews.colour: is not a known field"),
        ({"intents": {}, "keywords": [{"name": "empty", "segment": {"b2b": 1}}]}, "needs at least one entry"),
        ({"intents": {}, "keywords": [{"name": "bad", "patterns": ["(unclosed"]}]}, "is not valid"),
        ({"keywords": []}, "intents: is missing"),
        ({"intents": {}, "signal": {"persona": {"weight": -1}}}, "signal.persona.weight: a number ≥ 0"),
        ({"intents": {}, "signal": {"mood": {"weight": 1}}}, "signal.mood: is not a known field"),
        ({"intents": {}, "signal": {"phase": {"min_probability": 1.5}}}, "signal.phase.min_probability: must be a"),
        ({"intents": {}, "signal": {"segment": {"over_intent": 0.5}}},
         "signal.segment.over_intent: is not a known field"),
        ({"intents": {}, "thresholds": {"customer": "high"}}, "thresholds.customer: must be a number"),
        ({"intents": {}, "thresholds": {"advocate": -0.5}}, "thresholds.advocate: must be a number ≥ 0"),
        ({"intents": {}, "signal": {"phase": {"initial_probability": 1.5}}},
         "signal.phase.initial_probability: must be a probability"),
        ({"intents": {}, "keywords": [{"name": "x", "words": ["hi"], "over_intent": True}]}, "true needs a phase"),
        ({"intents": {}, "keywords": [{"name": "x", "phase": "awareness", "words": ["hi"], "over_intent": "yes"}]},
         "keywords[1].over_intent: must be true or false"),
        ({"intents": {"greet": {"phase": "awareness", "over_intent": True}}},
         "intents.greet.over_intent: is not a known field"),
    ],
)
def test_editor_mistakes_are_reported_where_they_are(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ContentError) as error:
        parse_evidence(document)
    assert message in str(error.value)


class FixedSignal:
    """A learned signal whose readings the test sets: the combination logic, independent of any training."""

    def __init__(self, readings: dict[str, dict[str, tuple[str, float]]]) -> None:
        self.readings = readings

    def read(self, text: str) -> dict[str, SlotReading]:
        return {slot: SlotReading(*reading) for slot, reading in self.readings.get(text, {}).items()}


def test_an_existing_customer_stays_in_retention_when_asking_about_prices(evidence: EvidenceModel) -> None:
    turns = [
        turn("Bei uns zeigt die App seit gestern nichts mehr an", "ask_support", 0.9),
        turn("Und was kostet ein weiterer Standort?", "ask_price", 0.95),
    ]
    state = infer_journey(turns, evidence)
    assert state.phase == "retention"
    reasons = [(r.message, r.source) for r in state.reasons["phase"]]
    assert reasons == [(1, "intent:ask_support"), (2, "intent:ask_price")]
    later = infer_journey([*turns, turn("Gerne empfehle ich euch weiter!", "ask_referral")], evidence)
    assert later.phase == "advocacy", "a customer who recommends us moves on"


@pytest.mark.parametrize(
    ("said", "intent", "asked", "asked_intent"),
    [
        ("Wir nutzen aktuell Starter.", "inform_situation", "Was bringt uns Professional zusätzlich?", "ask_features"),
        ("we use Business at HQ already", "inform_situation", "could you do a live demo for our new site?",
         "ask_video"),
        ("Wir haben seit einem Jahr Sense an den Klimageräten, zwei Messpunkte sollen dazu. Was kostet das?",
         "ask_price", None, None),
        ("been using the clip in our flat for a month", "inform_situation", "i really don't buy the 40 % figure",
         "express_doubt"),
    ],
)  # fmt: skip
def test_a_visitor_who_says_they_use_our_product_is_a_customer(
    evidence: EvidenceModel, said: str, intent: str, asked: str | None, asked_intent: str | None
) -> None:
    turns = [turn(said, intent, 0.9), *([turn(asked, asked_intent, 0.9)] if asked else [])]
    state = infer_journey(turns, evidence)
    assert state.phase == "retention"
    first = state.reasons["phase"][0]
    assert (first.message, first.source, first.score) == (1, "keyword:product in use", 1.0)
    if len(state.reasons["phase"]) == 2:  # a question after (or beside) the sign: named as what keeps retention
        assert first.rule == "customer"


@pytest.mark.parametrize("text", ["Since Business has an API, can we connect SAP?", "we would use Business for 3 sites",
                                  "Wir überlegen, Sense einzusetzen. Was kostet das?", "Seit Jahren steigt unser "
                                  "Strompreis, was kostet Business?", "I use Home Assistant, what does the clip cost?",
                                  "Seit Jahren im Home Office, was kostet der Clip?"])  # fmt: skip
def test_a_prospect_talking_about_using_a_product_is_no_customer(evidence: EvidenceModel, text: str) -> None:
    assert infer_journey([turn(text, "ask_price", 0.9)], evidence).phase == "decision"


def test_an_unsure_support_reading_does_not_make_a_prospect_a_customer(evidence: EvidenceModel) -> None:
    turns = [turn("Habt ihr einen Support?", "ask_support", 0.5), turn("Was kostet Home?", "ask_price", 0.95)]
    assert infer_journey(turns, evidence).phase == "decision"


@pytest.mark.parametrize(
    ("turns", "phase"),
    [
        # a prospect's question read as a customer's: the message's other evidence decides, nobody becomes a customer
        ([("Braucht man für den Export als JSON das Plus-Abo?", "request_upsell"),
          ("Und was kostet der Clip?", "ask_price")], "decision"),
        ([("Wie schnell liefert ihr nach Wien?", "ask_delivery")], None),
        ([("Is the clip worth it for a flat?", "ask_features"), ("how quickly do you ship to Zurich", "ask_delivery")],
         "consideration"),
        # a known customer's: retention, as before
        ([("Wir nutzen aktuell Starter.", "inform_situation"), ("Wir brauchen zwei Standorte mehr", "request_upsell")],
         "retention"),
        ([("Mein Clip zeigt seit Montag nichts an", "ask_support"), ("Wann kommt der Ersatz?", "ask_delivery")],
         "retention"),
        ([("we are customers, can we add 5 more sensors?", "request_upsell")], "retention"),
    ],
)  # fmt: skip
def test_an_upgrade_or_delivery_question_is_retention_only_for_a_known_customer(
    evidence: EvidenceModel, turns: list[tuple[str, str]], phase: str | None
) -> None:
    assert infer_journey([turn(text, intent, 0.9) for text, intent in turns], evidence).phase == phase


@pytest.mark.parametrize(
    ("turns", "phase"),
    [
        # a first contact who then asks for a video or doubts a claim is still looking around
        ([("Hab euch auf TikTok gesehen", "inform_source"), ("Habt ihr ein längeres Video?", "ask_video")],
         "awareness"),
        ([("what is this wattwerk thing?", "ask_what_is"), ("sounds like snake oil to me", "express_doubt")],
         "awareness"),
        # a greeting starts no first contact; a price question moves on; so does the third message
        ([("Hallo", "greet"), ("Habt ihr ein Video?", "ask_video")], "consideration"),
        ([("Hab euch auf TikTok gesehen", "inform_source"), ("Was kostet der Clip?", "ask_price")], "decision"),
        ([("Hab euch auf TikTok gesehen", "inform_source"), ("Habt ihr ein Video?", "ask_video"),
          ("Und gibt es Bewertungen?", "ask_reviews")], "consideration"),
    ],
)  # fmt: skip
def test_right_after_a_first_contact_looking_around_is_still_awareness(
    evidence: EvidenceModel, turns: list[tuple[str, str]], phase: str
) -> None:
    state = infer_journey([turn(text, intent, 0.9) for text, intent in turns], evidence)
    assert state.phase == phase
    if phase == "awareness":
        assert [reason.message for reason in state.reasons["phase"]] == [1, 2], "both messages explain it"


@pytest.mark.parametrize(
    ("turns", "phase"),
    [
        # once the visitor has decided to buy, questions about the details are the last step of the decision
        ([("Wir haben uns für Professional entschieden, 8 Standorte.", "inform_situation"),
          ("Läuft SSO über Azure AD gleich am ersten Tag?", "ask_integrations")], "decision"),
        ([("ordering one today for the house", "inform_situation"),
          ("does it work with a 5 GHz mesh?", "ask_specs")], "decision"),
        ([("Passt, i nimm zwa Clips.", "inform_situation"), ("Gibt's ein Video zur Montage?", "ask_video")],
         "decision"),
        # the decision shows even where the message's intent says something else ("approved" read as boss material)
        ([("Die Geschäftsführung hat Business Professional freigegeben.", "ask_boss_material"),
          ("Wo stehen eure Server?", "ask_hosting")], "decision"),
        # a condition, a refusal or a plan to order later is no decision: the details move back to consideration
        ([("if we go with Starter, how fast does it pay for itself?", "ask_roi"),
          ("does it talk Modbus TCP?", "ask_integrations")], "consideration"),
        ([("I kauf ned, was i ned in da Hand g'habt hab.", "express_doubt"), ("Habt's a Video?", "ask_video")],
         "consideration"),
        ([("I want to see it for real before I order.", "ask_video"),
          ("what does the app show?", "ask_features")], "consideration"),
        # a customer or praise still moves on
        ([("We're going ahead with Sense for 14 points.", "inform_situation"),
          ("Our dashboard shows no data since yesterday", "ask_support")], "retention"),
        ([("ok überzeugt, dann bestell ich zwei Clips", "inform_situation"),
          ("Läuft super, großes Lob!", "praise")], "advocacy"),
    ],
)  # fmt: skip
def test_after_deciding_to_buy_questions_about_the_details_stay_in_the_decision(
    evidence: EvidenceModel, turns: list[tuple[str, str]], phase: str
) -> None:
    _assert_kept_by_the_first_message(evidence, turns, phase, "decided" if phase == "decision" else None)


def _assert_kept_by_the_first_message(
    evidence: EvidenceModel, turns: list[tuple[str, str]], phase: str, rule: str | None
) -> None:
    """The conversation ends in `phase`; with a `rule`, kept by the first message for the second's question."""
    state = infer_journey([turn(text, intent, 0.9) for text, intent in turns], evidence)
    assert state.phase == phase
    if rule is not None:
        first, last = state.reasons["phase"]
        assert (first.message, first.rule, last.message) == (1, rule, 2), "what kept the phase, and the question"


def test_decided_can_be_switched_off_and_needs_a_sure_reading(evidence: EvidenceModel) -> None:
    turns = [turn("Wir nehmen Professional.", "inform_situation"), turn("Habt ihr ein Video?", "ask_video")]
    assert infer_journey(turns, evidence).phase == "decision"
    assert infer_journey(turns, replace(evidence, decided_confidence=1.1)).phase == "consideration"


@pytest.mark.parametrize(
    ("turns", "phase"),
    [
        # an advocate's next question serves the recommending: a video to forward, material for a friend
        ([("Hab den Clip meinem Schwager empfohlen", "ask_referral"),
          ("Habt ihr ein kurzes Video für ihn?", "ask_video")], "advocacy"),
        ([("Läuft super, großes Lob!", "praise"), ("Do you have a one-pager I could send to a friend's company?",
          "ask_boss_material")], "advocacy"),
        # a support request of their own ends it: their next question is a customer's
        ([("Läuft super, großes Lob!", "praise"), ("Die App zeigt seit gestern nichts mehr an", "ask_support"),
          ("Habt ihr ein Video zur Einrichtung?", "ask_video")], "retention"),
        # a visitor who received a recommendation and then asks is no advocate (no advocacy reading)
        ([("Ein Kollege hat uns auf euch hingewiesen", "inform_source"), ("Habt ihr ein Video?", "ask_video")],
         "awareness"),
    ],
)  # fmt: skip
def test_an_advocates_next_question_stays_advocacy(
    evidence: EvidenceModel, turns: list[tuple[str, str]], phase: str
) -> None:
    _assert_kept_by_the_first_message(evidence, turns, phase, "advocate" if phase == "advocacy" else None)


def test_the_advocate_rule_can_be_switched_off(evidence: EvidenceModel) -> None:
    turns = [turn("Läuft super, großes Lob!", "praise", 0.9), turn("Habt ihr ein Video?", "ask_video", 0.9)]
    assert infer_journey(turns, replace(evidence, advocate_confidence=1.1)).phase == "consideration"
    assert infer_journey(turns, replace(evidence, advocate_confidence=0.95)).phase == "consideration"  # not sure enough


def test_the_learned_signal_adds_persona_and_segment_where_no_word_is_listed(evidence: EvidenceModel) -> None:
    text = "Bin Betriebselektriker bei uns im Werk"
    signal = FixedSignal({text: {"persona": ("technical", 0.8), "segment": ("b2b", 0.6), "phase": ("awareness", 0.3)}})
    without = infer_journey([turn(text, "inform_situation")], evidence)
    state = infer_journey([turn(text, "inform_situation")], evidence, signal=signal)  # type: ignore[arg-type]
    assert (without.persona, state.persona, state.segment) == (None, "technical", "b2b")
    assert state.persona_scores["technical"] == pytest.approx(evidence.signal.weight["persona"] * 0.8)
    (reason,) = state.reasons["persona"]
    assert (reason.message, reason.source, reason.probability) == (1, "signal", 0.8)
    assert state.phase is None, "a phase reading below min_probability says nothing"


def test_an_unsure_reading_adds_nothing(evidence: EvidenceModel) -> None:
    signal = FixedSignal({"hm": {"persona": ("skeptic", 0.3), "segment": ("b2c", 0.45)}})
    state = infer_journey([turn("hm")], evidence, signal=signal)  # type: ignore[arg-type]
    assert (state.persona, state.segment, state.persona_scores, state.segment_scores) == (None, None, {}, {})


@pytest.mark.parametrize(
    ("intent_confidence", "signal_probability", "phase"),
    [
        (0.6, 0.75, "retention"),  # the signal is sure enough and the classifier not much surer: the signal decides
        (1.0, 0.75, "consideration"),  # the classifier is far surer of its intent: the intent's phase stays
        (0.6, 0.65, "consideration"),  # below over_intent the signal only speaks when the intent has no phase
    ],
)
def test_a_sure_learned_phase_beats_a_less_sure_intent(
    evidence: EvidenceModel, intent_confidence: float, signal_probability: float, phase: str
) -> None:
    text = "Unsere Berichte sehen anders aus als gedacht, kann man die anpassen?"
    signal = FixedSignal({text: {"phase": ("retention", signal_probability)}})
    state = infer_journey([turn(text, "ask_features", intent_confidence)], evidence, signal=signal)  # type: ignore[arg-type]
    assert state.phase == phase


def test_a_learned_phase_decides_when_the_intent_has_none(evidence: EvidenceModel) -> None:
    text = "Unser Abo läuft bald aus"
    signal = FixedSignal({text: {"phase": ("retention", 0.72)}})
    state = infer_journey([turn(text, "inform_situation")], evidence, signal=signal)  # type: ignore[arg-type]
    assert state.phase == "retention"
    assert state.explanation()["phase"]["reasons"] == [
        {"message": 1, "source": "signal", "name": None, "score": 0.72, "probability": 0.72}
    ]


@pytest.mark.parametrize(
    ("readings", "phase"),
    [
        # nothing the intent or the words place: the phase the words lean to, once one is sure enough
        ([("awareness", 0.3), ("awareness", 0.55)], "awareness"),
        ([("retention", 0.45), ("consideration", 0.6)], "retention"),  # only while no phase is known yet
        ([("decision", 0.35)], None),  # below initial_probability: nothing
    ],
)
def test_a_weak_learned_phase_counts_only_while_no_phase_is_known(
    evidence: EvidenceModel, readings: list[tuple[str, float]], phase: str | None
) -> None:
    texts = [f"message {number}" for number in range(1, len(readings) + 1)]
    signal = FixedSignal({text: {"phase": reading} for text, reading in zip(texts, readings, strict=True)})
    state = infer_journey([turn(text, "inform_situation") for text in texts], evidence, signal=signal)  # type: ignore[arg-type]
    assert state.phase == phase
    if phase is not None:
        first = next(index for index, (label, probability) in enumerate(readings, 1) if probability >= 0.4)
        assert state.explanation()["phase"]["reasons"][0]["message"] == first


def test_a_weak_learned_phase_gives_way_to_any_sure_one(evidence: EvidenceModel) -> None:
    signal = FixedSignal({"Servas": {"phase": ("awareness", 0.5)}})
    turns = [turn("Servas", "inform_situation"), turn("Was kostet der Clip?", "ask_price")]
    assert infer_journey(turns, evidence, signal=signal).phase == "decision"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("before", "phase"),
    [
        ([], "decision"),  # a prospect: the delivery question's retention does not count, the signal's decision does
        ([("Wir nutzen Professional seit März", "inform_situation")], "retention"),  # a customer: it does
    ],
)
def test_a_sure_learned_phase_stays_behind_an_intent_that_counts_for_customers_only(
    evidence: EvidenceModel, before: list[tuple[str, str]], phase: str
) -> None:
    text = "my partner says go ahead and order it, when would it arrive?"
    signal = FixedSignal({text: {"phase": ("decision", 0.77)}})
    turns = [turn(said, intent, 0.9) for said, intent in before] + [turn(text, "ask_delivery", 0.99)]
    assert infer_journey(turns, evidence, signal=signal).phase == phase  # type: ignore[arg-type]


def test_the_explanation_names_every_message_behind_a_value(evidence: EvidenceModel) -> None:
    turns = [
        turn("Hallo", "greet"),
        turn("Wie schnell amortisiert sich das für unseren Betrieb?", "ask_roi"),
        turn("Gibt es Mengenrabatt?", "ask_discount"),
    ]
    explanation = infer_journey(turns, evidence).explanation()
    assert explanation["phase"]["value"] == "decision" and explanation["phase"]["reasons"][0]["message"] == 3
    persona = explanation["persona"]
    assert persona["value"] == "budget_owner" and persona["score"] == pytest.approx(1.0 + 0.6 + 1.0)
    assert [(r["message"], r["source"], r["name"]) for r in persona["reasons"]] == [
        (2, "intent", "ask_roi"), (2, "keyword", "money words"), (3, "intent", "ask_discount")]  # fmt: skip
    assert [(r["message"], r["name"]) for r in explanation["segment"]["reasons"]] == [(2, "company words")]
    assert explanation["language"]["value"] == "de" and explanation["language"]["reasons"][0]["message"] == 3


def test_messages_are_numbered_as_typed_without_buttons_and_page_views(evidence: EvidenceModel) -> None:
    turns = [
        turn("/page_view", "page_view"),
        turn("Hallo", "greet"),
        turn('/ask_roi{"product": "wattwerk-business"}', "ask_roi"),
        turn("Gibt es Mengenrabatt für unsere Firma?", "ask_discount"),
    ]
    explanation = infer_journey(turns, evidence).explanation()
    assert [(r["message"], r["name"]) for r in explanation["persona"]["reasons"]] == [
        (None, "ask_roi"), (2, "ask_discount")]  # fmt: skip
    assert explanation["phase"]["reasons"][0]["message"] == 2
    assert explanation["segment"]["reasons"] == [{"message": 2, "source": "keyword", "name": "company words",
                                                  "score": 1.0}]  # fmt: skip


def test_a_keyword_phase_beats_a_learned_phase_when_the_intent_has_none(evidence: EvidenceModel) -> None:
    text = "Ich bin Kunde und brauche einen weiteren Zugang"
    signal = FixedSignal({text: {"phase": ("decision", 0.8)}})
    state = infer_journey([turn(text, "inform_situation")], evidence, signal=signal)  # type: ignore[arg-type]
    assert state.phase == "retention" and state.reasons["phase"][0].source == "keyword:customer words"


def test_the_customer_area_page_alone_makes_nobody_a_customer(evidence: EvidenceModel) -> None:
    opened = Turn("/page_view", "page_view", 1.0, page={"path": "/kundenbereich"})
    state = infer_journey([opened, turn("Was kostet Business?", "ask_price")], evidence)
    assert state.phase == "decision"


@pytest.mark.parametrize(
    ("role", "question", "intent", "persona"),
    [
        ("Ich bin IT-Leiter in einem Klinikum.", "Was macht euer Produkt genau?", "ask_what_is", "technical"),
        ("sysadmin at a logistics firm here", "what does it do?", "ask_what_is", "technical"),
        ("Ich bin im Einkauf bei einem Zulieferer.", "Was kann Business?", "ask_features", "budget_owner"),
        ("I approve the energy budget for our 6 stores", "any real customer stories?", "ask_reviews", "budget_owner"),
        ("Unser Geschäftsführer möchte eine Übersicht, ich sammle die Infos für ihn.", "Was kostet Business?",
         "ask_price", "influencer"),
        ("our owner wants a short summary before she decides", "how much is it?", "ask_price", "influencer"),
        ("Die Erweiterung muss ich dann noch genehmigen.", "Wie schnell könnt ihr liefern?", "ask_delivery",
         "budget_owner"),
        ("wir sind eine Druckerei, das entscheide ich selber", "was kostet das?", "ask_price", "budget_owner"),
        ("my wife makes the call on anything for the house", "how fast does the clip pay off?", "ask_roi",
         "influencer"),
        ("Unser Chef hat gefragt, ob sich das für uns lohnt.", "Was kostet Business? Ich geb ihm das dann weiter.",
         "ask_price", "influencer"),
        ("Wir haben 6 Pressen.", "Kann ich die Werte per OPC UA in die SPS holen?", "ask_support", "technical"),
        ("I'll have to sign it off before our fiscal year closes", "how soon could it ship?", "ask_delivery",
         "budget_owner"),
        ("The MD told me to research options for our two depots.", "what does it cost?", "ask_price", "influencer"),
        ("Mein Chef hat mich gebeten, mal nach Lösungen zu schauen.", "Was kostet das?", "ask_price", "influencer"),
        ("I only need to report to my boss whether it's worth a look", "what is it?", "ask_what_is", "influencer"),
        ("Ich schau für meine Mutter mal nach, sie hat ein Reihenhaus.", "Was kostet der Clip?", "ask_price",
         "influencer"),
        ("my husband is the one paying for it", "how much is the clip?", "ask_price", "influencer"),
        ("Hallo, IT-Sicherheit hier.", "Was kostet Business?", "ask_price", "technical"),
        ("I'm looking into this for my dad.", "he wants to know if it pays for itself within a year", "ask_roi",
         "influencer"),  # a money question passed on from the one who decides
        ("Ich bin im Sekretariat.", "Der Chef lässt fragen, ob es bei jährlicher Zahlung Rabatt gibt.", "ask_discount",
         "influencer"),
        ("We're a family of four.", "can we even afford that right now? does it pay for itself?", "ask_roi",
         "budget_owner"),
    ],
)  # fmt: skip
def test_a_role_the_visitor_names_decides_the_persona_over_a_later_question(
    evidence: EvidenceModel, role: str, question: str, intent: str, persona: str
) -> None:
    state = infer_journey([turn(role, "inform_situation", 0.9), turn(question, intent, 0.9)], evidence)
    assert state.persona == persona


@pytest.mark.parametrize("text", ["it works with our IT, right?", "I use it at home", "Ich bin im Urlaub, meldet euch",
                                  "Liest das auch unseren Heizungs-Controller aus?"])
def test_a_mention_of_it_or_a_boss_without_a_role_or_a_request_sets_no_persona(evidence: EvidenceModel,
                                                                                 text: str) -> None:
    assert infer_journey([turn(text, "inform_situation", 0.9)], evidence).persona is None


@pytest.mark.parametrize(
    ("text", "intent", "persona"),
    [("Welche Ports muss ich in der Firewall freigeben, damit das Gateway senden kann?", "ask_specs", "budget_owner"),
     ("Muss ich für die Erweiterung Ports in der Firewall freigeben?", "ask_specs", "budget_owner"),
     ("Do I need to approve the firmware update in the app?", "ask_support", "budget_owner"),
     ("Ich entscheide mich wohl für den Clip, was kostet er?", "ask_price", "budget_owner"),
     ("I have 3 meters at home, can the app show them in one view?", "ask_features", "influencer")],
)  # fmt: skip
def test_words_of_approval_or_showing_in_another_sense_set_no_persona(
    evidence: EvidenceModel, text: str, intent: str, persona: str
) -> None:
    assert infer_journey([turn(text, intent, 0.9)], evidence).persona != persona


@pytest.mark.parametrize(
    ("text", "intent"),
    [("Was kostet Business für 5 Standorte, und sind da versteckte Kosten drin?", "ask_price"),
     ("ok but what's the catch with the 30-day trial, honestly?", "ask_guarantee"),
     ("Klingt zu schön um wahr zu sein. Was zahlen wir im Jahr?", "ask_price"),
     ("Bitte schriftlich bestätigen: keine Einrichtungsgebühr bei Business?", "ask_price"),
     ("we got caught out by a meter vendor once. any surprise fees with Sense?", "ask_price"),
     ("15 % Ersparnis, ist das nicht reines Marketing? Was kostet Business?", "ask_price"),
     ("you claim a payback within months. what does Sense cost for 8 machines?", "ask_price"),
     ("Gibt es eine Ausstiegsklausel, falls wir nichts sparen? Was kostet Professional?", "ask_price")],
)  # fmt: skip
def test_distrust_in_a_price_question_marks_the_skeptic(evidence: EvidenceModel, text: str, intent: str) -> None:
    assert infer_journey([turn(text, intent, 0.9)], evidence).persona == "skeptic"


@pytest.mark.parametrize(
    ("text", "intent", "phase"),
    [("what is it you are doing exactly? he wants a short overview for the meeting", "ask_boss_material", "awareness"),
     ("was ist das für ein Gerät? habt ihr irgendwo ein video", "ask_video", "awareness"),
     ("what is the difference between home and business?", "ask_comparison", "consideration"),
     ("was macht ihr mit meinen daten?", "ask_hosting", "consideration"),
     ("What do you do with my data?", "ask_hosting", "consideration"),
     ("What is it you actually sell, and why would it be any different?", "ask_comparison", "awareness"),
     ("what exactly do you sell? is it a device or some software?", "ask_specs", "awareness"),
     ("Was isch das genau, und wieso sött das bi üs öppis bringe?", "express_doubt", "awareness"),
     ("was genau ist denn euer produkt? ich muss es meinen eltern erklären", "ask_boss_material", "awareness"),
     ("TEST60, was ist das genau?", "ask_guarantee", "consideration"),
     ("TEST60, what is that?", "ask_guarantee", "consideration")],  # a follow-up about one thing: no first contact
)  # fmt: skip
def test_asking_what_we_are_is_a_first_contact_whatever_else_is_asked(
    evidence: EvidenceModel, text: str, intent: str, phase: str
) -> None:
    assert infer_journey([turn(text, intent, 0.9)], evidence).phase == phase


def test_the_editors_first_contact_rule_beats_a_sure_learned_phase(evidence: EvidenceModel) -> None:
    text = "was is das genau? habt ihr irgendwo ein video wo man sieht wie das funktioniert"
    signal = FixedSignal({text: {"phase": ("consideration", 0.95)}})
    state = infer_journey([turn(text, "ask_video", 0.8)], evidence, signal=signal)  # type: ignore[arg-type]
    assert state.phase == "awareness"
    assert state.explanation()["phase"]["reasons"][0]["source"] == "keyword"


@pytest.mark.parametrize("text", ["I want to know what it costs per month, does it pay for itself?",
                                  "Ich will wissen, ob sich das für mich rechnet"])
def test_ones_own_money_question_is_no_passed_on_question(evidence: EvidenceModel, text: str) -> None:
    assert infer_journey([turn(text, "ask_roi", 0.9)], evidence).persona == "budget_owner"
