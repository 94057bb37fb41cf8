"""IntentGuard (issue 11): situation statements and short money questions the model misreads."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY

from tests.test_nlu_guard import guard, message


@pytest.mark.parametrize(
    ("text", "misread"),
    [
        ("We own 9 bakeries and electricity is killing us", "express_doubt"),
        ("Ich hab neun Bäckereifilialen und der Strom frisst uns auf", "nlu_fallback"),
        ("im just a guy in a flat, which one is for me", "out_of_scope"),
        ("plant engineer here. paper mill, 40 machines we want to meter individually", "request_contact"),
        ("building services manager at a hospital, maybe 30 units", "ask_comparison"),
    ],
)
def test_a_situation_statement_is_inform_situation(text: str, misread: str) -> None:
    msg = message(text, misread, 0.4, known_words=3)
    guard().process([msg])
    assert msg.get(INTENT) == {"name": "inform_situation", "confidence": 0.9}


@pytest.mark.parametrize(
    ("text", "misread"),
    [("€ per month for 30?", "nlu_fallback"), ("und was zahl ich dann für den clip", "chitchat"),
     ("and one-off?", "out_of_scope")],
)  # fmt: skip
def test_a_short_money_question_is_ask_price(text: str, misread: str) -> None:
    msg = message(text, misread, 0.3, known_words=2)
    guard().process([msg])
    assert msg.get(INTENT) == {"name": "ask_price", "confidence": 0.9}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("We're a dental practice with two sites, who'd be the right person to talk to?", "request_contact"),
        ("Was kostet Wattwerk Business für 9 Standorte?", "ask_price"),
        ("Ich traue solchen Versprechen nicht", "express_doubt"),
        ("Wir zahlen 90.000 € Strom im Jahr an 4 Standorten, lohnt sich das?", "ask_roi"),
    ],
)
def test_other_messages_keep_their_intent(text: str, intent: str) -> None:
    msg = message(text, intent, 0.7, known_words=3)
    guard().process([msg])
    assert msg.get(INTENT)["name"] == intent


@pytest.mark.parametrize(
    ("text", "unsure", "expected"),
    [
        ("kosten für die drei standorte mit sso?", "ask_specs", "ask_price"),
        ("Ich hab neun Bäckereifilialen und der Strom frisst uns auf", "ask_features", "inform_situation"),
        ("24.000 €", "inform_situation", "inform_situation"),
    ],
)
def test_an_unsure_reading_of_a_message_with_facts_is_corrected(text: str, unsure: str, expected: str) -> None:
    msg = message(text, unsure, 0.25, known_words=3)
    guard().process([msg])
    assert msg.get(INTENT)["name"] == expected


@pytest.mark.parametrize(
    ("text", "intent"),
    [("Super Produkt, wir sind total begeistert!", "praise"), ("We own 9 bakeries and love your product", "praise")],
)
def test_a_confident_reading_stands(text: str, intent: str) -> None:
    msg = message(text, intent, 0.95, known_words=3)
    guard().process([msg])
    assert msg.get(INTENT)["name"] == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("Housing association with fourteen residential blocks. Which of your products would be appropriate?", "praise"),
     ("Druckerei, 2 Standorte, 14 Druckmaschinen plus Trockner. Was empfehlen Sie?", "request_contact"),
     ("Druckerei, 2 Standorte, 14 Druckmaschinen plus Trockner. Was empfehlen Sie?", "inform_contact")],
)  # fmt: skip
def test_a_question_with_sizes_is_the_situation_however_sure_the_reading(text: str, intent: str) -> None:
    msg = message(text, intent, 0.95, known_words=5)
    guard().process([msg])
    assert msg.get(INTENT)["name"] == "inform_situation"


def test_a_money_question_between_two_readings_is_a_price_question() -> None:
    msg = message("€ per month for 30?", "ask_price", 0.38, known_words=3)
    msg.set(INTENT_RANKING_KEY, [{"name": "ask_price", "confidence": 0.38},
                                 {"name": "inform_situation", "confidence": 0.37}])  # fmt: skip
    guard().process([msg])
    assert msg.get(INTENT) == {"name": "ask_price", "confidence": 0.9}
    assert [r["name"] for r in msg.get(INTENT_RANKING_KEY)][:2] == ["ask_price", "inform_situation"]
