"""The explanation of the journey slots in words, for salespeople in German and English."""

from __future__ import annotations

import pytest

from bot.journey.evidence import EvidenceModel
from bot.journey.explain import INTENT_LABELS, explanation_lines
from bot.journey.inference import Turn, infer_journey
from bot.sales.brief import brief_text

MESSAGES = [
    "Wir sind ein Maschinenbauer mit drei Werken.",
    "Hallo",
    "Lohnt sich das für uns? Wie schnell amortisiert sich das, gerechnet auf drei Jahre?",
    "Ich bin Controllerin",
    "Gibt es Mengenrabatt?",
]
EXPLANATION = {
    "phase": {"value": "decision", "reasons": [
        {"message": 5, "source": "intent", "name": "ask_discount", "score": 0.97}]},
    "persona": {"value": "budget_owner", "score": 3.4, "reasons": [
        {"message": 3, "source": "intent", "name": "ask_roi", "score": 1.0},
        {"message": 3, "source": "keyword", "name": "money words", "score": 0.6},
        {"message": 4, "source": "signal", "name": None, "score": 1.8, "probability": 0.9}]},
    "segment": {"value": "b2b", "reasons": [{"message": 1, "source": "situation", "name": "manufacturing",
                                             "score": None}]},
    "language": {"value": "de", "reasons": [{"message": 5, "source": "words", "name": None, "score": 2.0}]},
}  # fmt: skip


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("de", [
            "Phase Entscheidung: Nachricht 5 „Gibt es Mengenrabatt?“: fragte nach Rabatten",
            "Persona Budgetverantwortlich: Nachricht 3 „Lohnt sich das für uns? Wie schnell amortisiert sich das, g…“"
            ": fragte nach dem ROI, Stichwörter „money words“; Nachricht 4 „Ich bin Controllerin“: "
            "gelerntes Signal (90 %)",
            "Segment B2B (Unternehmen): Nachricht 1 „Wir sind ein Maschinenbauer mit drei Werken.“: "
            "eigene Angaben zur Lage",
            "Sprache Deutsch: Nachricht 5 „Gibt es Mengenrabatt?“: Wortwahl",
        ]),
        ("en", [
            "Phase decision: message 5 “Gibt es Mengenrabatt?”: asked for a discount",
            "Persona budget owner: message 3 “Lohnt sich das für uns? Wie schnell amortisiert sich das, g…”: "
            "asked about ROI, keywords “money words”; message 4 “Ich bin Controllerin”: learned signal (90 %)",
            "Segment B2B (business): message 1 “Wir sind ein Maschinenbauer mit drei Werken.”: "
            "what they said about their situation",
            "Language German: message 5 “Gibt es Mengenrabatt?”: choice of words",
        ]),
    ],
)  # fmt: skip
def test_the_explanation_reads_as_sentences_in_the_salespersons_language(language: str, lines: list[str]) -> None:
    assert explanation_lines(EXPLANATION, language, MESSAGES) == lines


def test_without_the_messages_the_numbers_remain_and_buttons_are_named() -> None:
    explanation = {"persona": {"value": "technical", "reasons": [
        {"message": None, "source": "intent", "name": "ask_integrations", "score": 1.0},
        {"message": 2, "source": "page", "name": "/en/products*", "score": 1.0}]}}  # fmt: skip
    assert explanation_lines(explanation, "en") == [
        "Persona technical: a button click: asked about integrations; message 2: page /en/products"]


def test_slots_without_a_value_are_left_out_and_nothing_breaks_without_an_explanation() -> None:
    assert explanation_lines({"persona": {"value": None, "reasons": []}}, "en") == []
    assert explanation_lines(None, "de") == []


def test_every_intent_with_journey_evidence_has_words_in_both_languages(evidence: EvidenceModel) -> None:
    meaningful = {name for name, e in evidence.intents.items() if e.phase or e.initial_phase or e.persona or e.segment}
    assert meaningful <= set(INTENT_LABELS), f"describe in bot/journey/explain.py: {meaningful - set(INTENT_LABELS)}"


def test_an_existing_customer_is_named_as_the_reason_for_retention(evidence: EvidenceModel) -> None:
    said = ["Unsere App zeigt nichts an", "Was kostet das?"]
    turns = [Turn(said[0], "ask_support", 0.9), Turn(said[1], "ask_price", 0.9)]
    lines = explanation_lines(infer_journey(turns, evidence).explanation(), "en", said)
    assert lines[0] == ("Phase retention: a customer since message 1 “Unsere App zeigt nichts an”; "
                        "message 2 “Was kostet das?”: asked about the price")  # fmt: skip


@pytest.mark.parametrize(
    ("said", "intents", "line"),
    [
        (["Wir nehmen Professional für 8 Standorte", "Läuft SSO über Azure AD?"],
         ["inform_situation", "ask_integrations"],
         "Phase decision: decided to buy since message 1 “Wir nehmen Professional für 8 Standorte”; "
         "message 2 “Läuft SSO über Azure AD?”: asked about integrations"),
        (["Hab euch auf TikTok gesehen", "Habt ihr ein längeres Video?"], ["inform_source", "ask_video"],
         "Phase awareness: a first contact in message 1 “Hab euch auf TikTok gesehen”; "
         "message 2 “Habt ihr ein längeres Video?”: asked for a video or demo"),
        (["Hab euch meinem Schwager empfohlen", "Habt ihr ein kurzes Video für ihn?"], ["ask_referral", "ask_video"],
         "Phase advocacy: recommending us since message 1 “Hab euch meinem Schwager empfohlen”; "
         "message 2 “Habt ihr ein kurzes Video für ihn?”: asked for a video or demo"),
    ],
)  # fmt: skip
def test_a_phase_kept_by_an_earlier_message_names_what_it_showed(
    evidence: EvidenceModel, said: list[str], intents: list[str], line: str
) -> None:
    turns = [Turn(text, intent, 0.9) for text, intent in zip(said, intents, strict=True)]
    assert explanation_lines(infer_journey(turns, evidence).explanation(), "en", said)[0] == line


def test_the_brief_explains_in_the_readers_language_before_the_transcript() -> None:
    transcript = [{"from": "visitor", "text": text} for text in MESSAGES]
    handoff = {"id": 7, "name": "Anna Berger", "company": None, "language": "de", "journey_explanation": EXPLANATION,
               "transcript": transcript}  # fmt: skip
    english = brief_text(handoff, reader_language="en")
    assert "Why the bot thinks so:\n- Phase decision: message 5 “Gibt es Mengenrabatt?”: asked for" in english
    german = brief_text(handoff)
    assert "Warum der Bot das annimmt:\n- Phase Entscheidung: Nachricht 5 „Gibt es Mengenrabatt?“" in german
    assert german.index("Warum der Bot") < german.index("Gesprächsverlauf:")
    assert "Warum" not in brief_text({**handoff, "journey_explanation": None})
