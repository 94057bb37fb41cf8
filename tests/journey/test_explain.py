"""The explanation of the journey slots in words, for salespeople in German and English."""

from __future__ import annotations

import pytest

from bot.journey.evidence import EvidenceModel
from bot.journey.explain import INTENT_LABELS, explanation_lines
from bot.journey.inference import Turn, infer_journey
from bot.sales.brief import brief_text

EXPLANATION = {
    "phase": {"value": "decision", "reasons": [
        {"message": 5, "text": "Gibt es Mengenrabatt?", "source": "intent", "name": "ask_discount", "score": 0.97}]},
    "persona": {"value": "budget_owner", "score": 2.8, "reasons": [
        {"message": 3, "text": "Lohnt sich das?", "source": "intent", "name": "ask_roi", "score": 1.0},
        {"message": 4, "text": "Ich bin Controllerin", "source": "signal", "name": None, "score": 1.8,
         "probability": 0.9}]},
    "segment": {"value": "b2b", "score": 1.0, "reasons": [
        {"message": 1, "text": "drei Werke", "source": "situation", "name": "plant", "score": None}]},
    "language": {"value": "de", "reasons": [
        {"message": 5, "text": "Gibt es Mengenrabatt?", "source": "words", "name": None, "score": 2.0}]},
}  # fmt: skip


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("de", [
            "Phase Entscheidung: fragte nach Rabatten (Nachricht 5)",
            "Persona Budgetverantwortlich: fragte nach dem ROI (Nachricht 3); "
            "schrieb „Ich bin Controllerin“ (gelerntes Signal, 90 %) (Nachricht 4)",
            "Segment B2B (Unternehmen): nannte die Branche plant (Nachricht 1)",
            "Sprache Deutsch: schrieb auf Deutsch (Nachricht 5)",
        ]),
        ("en", [
            "Phase decision: asked for a discount (message 5)",
            "Persona budget owner: asked about ROI (message 3); "
            "wrote “Ich bin Controllerin” (learned signal, 90 %) (message 4)",
            "Segment B2B (business): named the sector plant (message 1)",
            "Language German: wrote in German (message 5)",
        ]),
    ],
)  # fmt: skip
def test_the_explanation_reads_as_sentences_in_the_salespersons_language(language: str, lines: list[str]) -> None:
    assert explanation_lines(EXPLANATION, language) == lines


def test_slots_without_a_value_are_left_out_and_nothing_breaks_without_an_explanation() -> None:
    assert explanation_lines({"persona": {"value": None, "reasons": []}}, "en") == []
    assert explanation_lines(None, "de") == []


def test_every_intent_with_journey_evidence_has_words_in_both_languages(evidence: EvidenceModel) -> None:
    meaningful = {name for name, e in evidence.intents.items() if e.phase or e.initial_phase or e.persona or e.segment}
    assert meaningful <= set(INTENT_LABELS), f"describe in bot/journey/explain.py: {meaningful - set(INTENT_LABELS)}"


def test_an_existing_customer_is_named_as_the_reason_for_retention(evidence: EvidenceModel) -> None:
    turns = [Turn("Unsere App zeigt nichts an", "ask_support", 0.9), Turn("Was kostet das?", "ask_price", 0.9)]
    lines = explanation_lines(infer_journey(turns, evidence).explanation(), "en")
    assert lines[0] == ("Phase retention (customer): is a customer already (message 1); "
                        "asked about the price (message 2)")  # fmt: skip


def test_the_brief_explains_in_the_readers_language_before_the_transcript() -> None:
    handoff = {"id": 7, "name": "Anna Berger", "company": None, "language": "de", "journey_explanation": EXPLANATION,
               "transcript": [{"from": "visitor", "text": "Hallo"}]}  # fmt: skip
    english = brief_text(handoff, reader_language="en")
    assert "Why the bot thinks so:\n- Phase decision: asked for a discount (message 5)\n" in english
    german = brief_text(handoff)
    assert "Warum der Bot das annimmt:\n- Phase Entscheidung: fragte nach Rabatten (Nachricht 5)\n" in german
    assert german.index("Warum der Bot") < german.index("Gesprächsverlauf:")
    assert "Warum" not in brief_text({**handoff, "journey_explanation": None})
