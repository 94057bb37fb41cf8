"""The IntentGuard NLU component, on real Rasa messages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_plugins.nlu import IntentGuard, gives_contact_details


@pytest.mark.parametrize(
    "text",
    [
        "Claire Dubois, Dubois Consulting SARL, claire@dubois-consulting.fr",
        "Anna Berger, Berger Logistik GmbH, anna.berger@example.de, 0171 2345678",
        "meine Nummer: +49 (0)221 99 88 77",
        "anna@berger.example",
    ],
)
def test_statements_with_contact_details_are_recognised(text: str) -> None:
    assert gives_contact_details(text)


@pytest.mark.parametrize(
    "text",
    [
        "Können Sie mich unter 0171 2345678 anrufen?",
        "Wir sind 25 Leute mit 3 Standorten",
        "Unsere Stromkosten liegen bei 120 000 € im Jahr",
        "we spend 1,200,000 dollars a year",
        "2026",
    ],
)
def test_questions_and_ordinary_numbers_are_not_contact_details(text: str) -> None:
    assert not gives_contact_details(text)


def message(text: str, intent: str, confidence: float, known_words: int) -> Message:
    msg = Message(data={TEXT: text})
    msg.set(INTENT, {"name": intent, "confidence": confidence})
    msg.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}, {"name": "greet", "confidence": 0.1}])
    sentence = scipy.sparse.coo_matrix(np.array([[1.0] * known_words + [0.0] * 3]))
    msg.add_features(Features(sentence, "sentence", TEXT, "word_counts"))
    return msg


def guard(**config: Any) -> IntentGuard:
    return IntentGuard({**IntentGuard.get_default_config(), **config})


def test_contact_details_override_a_misread_intent() -> None:
    msg = message("Claire Dubois, Dubois Consulting SARL, claire@dubois.example", "express_doubt", 0.32, known_words=1)
    guard().process([msg])
    assert msg.get(INTENT) == {"name": "inform_contact", "confidence": 0.9}
    assert [r["name"] for r in msg.get(INTENT_RANKING_KEY)] == ["inform_contact", "express_doubt", "greet"]


def test_a_request_for_a_call_with_a_number_stays_a_request() -> None:
    msg = message("Ruft mich an: 0171 2345678", "request_contact", 0.8, known_words=2)
    guard().process([msg])
    assert msg.get(INTENT)["name"] == "request_contact"


def test_a_message_without_any_known_word_is_not_understood() -> None:
    msg = message("xq zzkv plörr", "affirm", 0.38, known_words=0)
    guard().process([msg])
    assert msg.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}


def test_a_message_with_known_words_keeps_its_intent() -> None:
    msg = message("ok", "affirm", 0.84, known_words=1)
    guard().process([msg])
    assert msg.get(INTENT) == {"name": "affirm", "confidence": 0.84}


def test_typed_words_are_never_a_page_view() -> None:
    msg = message("view", "page_view", 0.49, known_words=1)
    guard().process([msg])
    assert msg.get(INTENT) == {"name": "greet", "confidence": 0.1}  # the next best; FallbackClassifier decides
    assert [r["name"] for r in msg.get(INTENT_RANKING_KEY)] == ["greet"]


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "expected"),
    [
        # a payback or voucher reading without a word about payback or vouchers is not trusted: the facts decide
        ("we're a family-run hotel, one building with 40 rooms. what would fit us?", "ask_roi", 0.62,
         "inform_situation"),
        ("could we only do the 5 biggest ones first?", "ask_voucher", 0.7, "inform_situation"),  # a size for the focus
        ("Lohnt sich das für unsere 4 Standorte?", "ask_roi", 0.7, "ask_roi"),  # a payback question stays one
        ("Gibt es einen Gutschein für 2 Clips?", "ask_voucher", 0.7, "ask_voucher"),
        ("haha ok. hab eine kleine Bäckerei mit einem Laden und 3 Öfen, was würdet ihr empfehlen?", "ask_referral",
         0.71, "inform_situation"),
    ],
)  # fmt: skip
def test_a_reading_without_its_cue_word_yields_to_the_situation(
    text: str, intent: str, confidence: float, expected: str
) -> None:
    msg = message(text, intent, confidence, known_words=3)
    guard().process([msg])
    assert msg.get(INTENT)["name"] == expected


def test_a_corrected_reading_is_not_left_ambiguous_for_the_fallback_classifier() -> None:
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    text = "Spaß beiseite. Ich hab ne kleine Schreinerei, ein Standort, 6 Maschinen. Was passt da?"
    msg = message(text, "express_doubt", 0.91, known_words=3)
    guard().process([msg])
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), "threshold": 0.3,
                                   "ambiguity_threshold": 0.02})  # fmt: skip
    fallback.process([msg])
    assert msg.get(INTENT)["name"] == "inform_situation"
    assert [r["name"] for r in msg.get(INTENT_RANKING_KEY)][:2] == ["inform_situation", "express_doubt"]


@pytest.mark.parametrize(
    ("text", "intent_after"),
    [("Das Gerät ist nach 13 Monaten defekt, gilt da noch die Garantie?", "greet"),
     ("my sensor stopped after a year, is that covered?", "greet"),
     ("Erreichen Sie mich unter 0171 2345678?", "inform_contact")],
)  # fmt: skip
def test_a_question_without_contact_details_is_no_contact_details(text: str, intent_after: str) -> None:
    msg = message(text, "inform_contact", 0.52, known_words=2)
    guard().process([msg])
    assert msg.get(INTENT)["name"] == intent_after


@pytest.mark.parametrize(
    ("text", "intent_after"),
    [("will the clip read it without a PIN from the grid operator? and the wifi is 5ghz only. price is fine btw",
      "greet"),  # the next reading: the price is settled, the questions are about something else
     ("wandler zum aufklappen? welche genauigkeitsklasse? was ein messpunkt kostet hab ich gesehen, passt", "greet"),
     ("ok what does it cost", "ask_price"), ("price is fine, but what about the one-off costs?", "ask_price")],
)  # fmt: skip
def test_a_price_said_to_be_fine_is_no_price_question(text: str, intent_after: str) -> None:
    msg = message(text, "ask_price", 0.9, known_words=3)
    guard().process([msg])
    assert msg.get(INTENT)["name"] == intent_after
